"""Send a text to the demo server as Twilio's inbound-message webhook would.

The request is signed with the demo company's Twilio auth token (set by
setup/configure_demo.py) and posted to the local server only. Odoo answers
through its SMS queue; with the demo outbox on, the answer is logged and
appended to the outbox file instead of reaching Twilio or IAP.
"""

import argparse
import importlib.util
import pathlib
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

PROJECT_ROOT = pathlib.Path(__file__).resolve().parent.parent
WEBHOOK_PATH = "/lead_sms/twilio/inbound"
# Must match DEMO_TWILIO_AUTH_TOKEN in setup/configure_demo.py.
DEMO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
DEMO_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEMO_OUR_NUMBER = "+16175550100"


def load_signature_tools():
    """Import lead_proactive_sms/tools/twilio_signature.py on its own: the
    add-on package itself needs Odoo."""
    path = PROJECT_ROOT / "lead_proactive_sms" / "tools" / "twilio_signature.py"
    spec = importlib.util.spec_from_file_location("twilio_signature", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", help="the sender's phone number, e.g. +16175550142")
    parser.add_argument("text", help="the text the sender writes")
    parser.add_argument("--port", type=int, default=8069, help="the demo server's HTTP port")
    parser.add_argument("--token", default=DEMO_AUTH_TOKEN, help="the company's Twilio auth token")
    return parser.parse_args()


def main():
    args = parse_args()
    url = "http://127.0.0.1:%s%s" % (args.port, WEBHOOK_PATH)
    message_sid = "SM" + secrets.token_hex(16)
    params = [
        ("AccountSid", DEMO_ACCOUNT_SID),
        ("ApiVersion", "2010-04-01"),
        ("Body", args.text),
        ("From", args.number),
        ("MessageSid", message_sid),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
        ("SmsMessageSid", message_sid),
        ("SmsSid", message_sid),
        ("SmsStatus", "received"),
        ("To", DEMO_OUR_NUMBER),
    ]
    signature = load_signature_tools().compute_signature(args.token, url, params)
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        sys.exit(
            "error: the server rejected the text with HTTP %s: %s"
            % (error.code, error.read().decode(errors="replace")[:300])
        )
    except urllib.error.URLError as error:
        sys.exit(
            "error: no Odoo server answered at %s (%s). Start it with setup/run.sh."
            % (url, error.reason)
        )
    print("sent %s from %s (HTTP %s)" % (message_sid, args.number, status))


if __name__ == "__main__":
    main()
