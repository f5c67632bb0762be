"""Feed .eml files through Odoo's mail gateway on a running server.

This is the path a Postfix pipe to Odoo's mailgate script or fetchmail takes:
each raw email goes to ``mail.thread.message_process`` over XML-RPC, which
routes it by its recipients to the sales team alias, exactly as live mail.
"""

import argparse
import pathlib
import sys
import xmlrpc.client


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=pathlib.Path,
                        help=".eml files or folders of .eml files")
    parser.add_argument("--url", default="http://localhost:8069", help="Odoo's address")
    parser.add_argument("--db", default="proactive", help="database name")
    parser.add_argument("--login", default="admin", help="user that processes the mail")
    parser.add_argument("--password", default="admin", help="that user's password")
    return parser.parse_args()


def collect(paths):
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.eml")))
        elif path.is_file():
            files.append(path)
        else:
            sys.exit("error: %s is neither an .eml file nor a folder" % path)
    if not files:
        sys.exit("error: no .eml file found in %s" % ", ".join(map(str, paths)))
    return files


def main():
    args = parse_args()
    files = collect(args.paths)
    common = xmlrpc.client.ServerProxy("%s/xmlrpc/2/common" % args.url)
    try:
        uid = common.authenticate(args.db, args.login, args.password, {})
    except ConnectionRefusedError:
        sys.exit("error: no Odoo server answers at %s; start it with setup/run.sh" % args.url)
    if not uid:
        sys.exit("error: login %r on database %r was rejected" % (args.login, args.db))
    models = xmlrpc.client.ServerProxy("%s/xmlrpc/2/object" % args.url, allow_none=True)
    failures = 0
    for path in files:
        raw = xmlrpc.client.Binary(path.read_bytes())
        try:
            record_id = models.execute_kw(
                args.db, uid, args.password, "mail.thread", "message_process", [False, raw]
            )
        except xmlrpc.client.Fault as fault:
            failures += 1
            last_line = fault.faultString.strip().splitlines()[-1]
            print("%s: rejected: %s" % (path.name, last_line))
            continue
        if record_id:
            print("%s: processed, record %s" % (path.name, record_id))
        else:
            print("%s: processed, no record (ignored as automatic or duplicate)" % path.name)
    print("%d of %d emails processed" % (len(files) - failures, len(files)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
