#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Summarise a py-spy profile of the inbound benchmark.

Reads the collapsed stacks that ``py-spy record --format raw`` writes (one
line per stack: frames separated by ``;``, then the sample count) and keeps
the samples taken inside ``message_process`` (py-spy names it
``MailThread.message_process``). Prints the functions with the
largest inclusive share of those samples, optionally only those whose file
path contains a given text (``--only lead_proactive``).

Usage: python bench/profile_summary.py PROFILE.txt [--top 25] [--only TEXT]
"""

import argparse
import collections
import re

# py-spy names a frame "function (path/to/file.py:line)".
FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>[^:()]*):(?P<line>\d+)\)$")


def frame_key(frame):
    """Return "function (file)" for a frame, without its line number, so
    that every line of a function counts for that function."""
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("path")
    for marker in ("/odoo/addons/", "/addons/", "/odoo/", "/bench/"):
        if marker in path:
            path = path[path.index(marker) + 1:]
            break
    return "%s (%s)" % (match.group("function"), path)


def read_stacks(path, root):
    stacks = []
    with open(path, encoding="utf-8") as profile:
        for line in profile:
            stack, _sep, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")
            for index, frame in enumerate(frames):
                function = frame.partition(" (")[0]
                if function == root or function.endswith("." + root):
                    stacks.append(([frame_key(f) for f in frames[index:]], int(count)))
                    break
    return stacks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", help="file written by py-spy record --format raw")
    parser.add_argument("--top", type=int, default=25, help="lines to print (default 25)")
    parser.add_argument("--only", default="", help="keep functions whose path contains this")
    parser.add_argument("--root", default="message_process",
                        help="function whose samples are kept (default message_process)")
    args = parser.parse_args()

    stacks = read_stacks(args.profile, args.root)
    total = sum(count for _frames, count in stacks)
    if not total:
        raise SystemExit("no sample of %s in %s" % (args.root, args.profile))
    inclusive = collections.Counter()
    own = collections.Counter()
    for frames, count in stacks:
        for key in set(frames):
            inclusive[key] += count
        own[frames[-1]] += count

    print("%s samples inside %s" % (total, args.root))
    print("%8s %8s  function" % ("incl. %", "self %"))
    printed = 0
    for key, count in inclusive.most_common():
        if args.only and args.only not in key:
            continue
        print("%8.1f %8.1f  %s" % (100.0 * count / total, 100.0 * own[key] / total, key))
        printed += 1
        if printed >= args.top:
            break


if __name__ == "__main__":
    main()
