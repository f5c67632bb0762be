"""Feed .eml files through Odoo's mail gateway on a running server.

This is the path a Postfix pipe to Odoo's mailgate script or fetchmail takes:
each raw email goes to ``mail.thread.message_process`` over Odoo 19's JSON-2
API (``POST /json/2/mail.thread/message_process`` with an API key), which
routes it by its recipients to the sales team alias, exactly as live mail.

JSON carries text, and Odoo encodes a text message as UTF-8 before parsing
it. A file that is not valid UTF-8 (raw 8-bit headers or a Latin-1 body) is
therefore converted first: 8-bit text parts are re-encoded as UTF-8 in
base64, and remaining 8-bit bytes outside UTF-8 are read as Latin-1. The
file is reported as converted; live mail through fetchmail keeps its bytes.
"""

import argparse
import codecs
import email
import email.policy
import json
import os
import pathlib
import sys
import urllib.error
import urllib.request

REQUEST_TIMEOUT = 120  # seconds; processing runs the lead automation too


def _latin1_fallback(error):
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("proactive_latin1_fallback", _latin1_fallback)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=pathlib.Path,
                        help=".eml files or folders of .eml files")
    parser.add_argument("--url", default="http://localhost:8069", help="Odoo's address")
    parser.add_argument("--db", default="proactive", help="database name")
    parser.add_argument(
        "--api-key-file", type=pathlib.Path,
        help="file containing an API key of the user that processes the mail "
        "(default: the PROACTIVE_API_KEY environment variable)",
    )
    return parser.parse_args()


def read_api_key(args):
    if args.api_key_file:
        try:
            api_key = args.api_key_file.read_text().strip()
        except OSError as error:
            sys.exit("error: cannot read the API key file %s: %s" % (args.api_key_file, error))
    else:
        api_key = os.environ.get("PROACTIVE_API_KEY", "").strip()
    if not api_key:
        sys.exit(
            "error: no API key: pass --api-key-file or set PROACTIVE_API_KEY "
            "(setup/feed_emails.sh creates one for admin)"
        )
    return api_key


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


def message_text(raw):
    """Return (the email as text, whether it had to be converted)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in message.walk():
        encoding = (part.get("Content-Transfer-Encoding") or "").strip().lower()
        if part.get_content_maintype() != "text" or encoding not in ("8bit", "binary"):
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            text = part.get_payload(decode=True).decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = part.get_payload(decode=True).decode("utf-8", "proactive_latin1_fallback")
        del part["Content-Transfer-Encoding"]
        part.set_payload(text, "utf-8")
    return message.as_bytes().decode("utf-8", "proactive_latin1_fallback"), True


def call(args, api_key, model_name, method_name, /, **params):
    """Call ``model_name.method_name(**params)`` over JSON-2 and return its result.

    Raises RuntimeError with Odoo's error message when the call fails.
    """
    request = urllib.request.Request(
        "%s/json/2/%s/%s" % (args.url.rstrip("/"), model_name, method_name),
        data=json.dumps(params).encode(),
        headers={
            "Authorization": "bearer %s" % api_key,
            "Content-Type": "application/json; charset=utf-8",
            "X-Odoo-Database": args.db,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace")
        try:
            message = json.loads(body).get("message") or body
        except ValueError:
            message = body
        raise RuntimeError("HTTP %s: %s" % (error.code, message.strip())) from error


def main():
    args = parse_args()
    api_key = read_api_key(args)
    files = collect(args.paths)
    failures = 0
    for path in files:
        text, converted = message_text(path.read_bytes())
        if converted:
            print("%s: not UTF-8, sent with its 8-bit parts converted to UTF-8" % path.name)
        try:
            record_id = call(
                args, api_key, "mail.thread", "message_process", model=False, message=text
            )
        except urllib.error.URLError as error:
            sys.exit(
                "error: no Odoo server answers at %s (%s); start it with setup/run.sh"
                % (args.url, error.reason)
            )
        except RuntimeError as error:
            failures += 1
            print("%s: rejected: %s" % (path.name, error))
            continue
        if record_id:
            print("%s: processed, record %s" % (path.name, record_id))
        else:
            print("%s: processed, no record (ignored as automatic or duplicate)" % path.name)
    print("%d of %d emails processed" % (len(files) - failures, len(files)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
