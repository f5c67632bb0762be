"""Measure the Twilio inbound SMS webhook of lead_proactive_sms.

Usage: python bench_sms_webhook.py URL TOKEN STUB_PORT COUNT

Posts COUNT signed requests with new MessageSids to URL (Odoo's
/lead_sms/twilio/inbound), one after the other. Then it posts the same COUNT
requests again, as Twilio does when it retries a delivery. Prints one JSON
line with the requests per second and the latency percentiles of each path.

It also runs the local IAP stub on 127.0.0.1:STUB_PORT that the server's
``sms.endpoint`` points at (see sms_setup.py). The stub accepts every text
as sent and counts them. The result therefore shows whether each new message
got its instant reply and whether a duplicate got a second one. Started by
bench/run.sh.
"""

import base64
import hashlib
import hmac
import http.server
import json
import statistics
import sys
import threading
import time
import uuid

import requests


class IapStub(http.server.ThreadingHTTPServer):
    """Stub of Odoo's IAP JSON-RPC service on 127.0.0.1. Every text sent
    to /api/sms/3/send succeeds, and other calls get an empty result."""

    daemon_threads = True

    def __init__(self, port):
        self.texts = 0
        self.paths = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), IapStubHandler)


class IapStubHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        params = payload.get("params") or {}
        result = {}
        if self.path == "/api/sms/3/send":
            result = [
                {"uuid": number["uuid"], "state": "success", "credit": 1}
                for message in params.get("messages", [])
                for number in message.get("numbers", [])
            ]
        with self.server.lock:
            self.server.paths.append(self.path)
            if isinstance(result, list):
                self.server.texts += len(result)
        body = json.dumps({"jsonrpc": "2.0", "id": payload.get("id"), "result": result})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass


def sign(token, url, params):
    """Return the X-Twilio-Signature of a POST of ``params`` to ``url``:
    base64 HMAC-SHA1 of the URL followed by the sorted names and values."""
    payload = url + "".join(name + value for name, value in sorted(params.items()))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def make_requests(count):
    """Return ``count`` Twilio message requests from distinct senders, so
    that every one creates a lead and gets an instant reply."""
    run = uuid.uuid4().hex[:6]
    result = []
    for n in range(count):
        # Fictional 555-01xx numbers, spread over several area codes.
        number = "+1%d55501%02d" % (212 + n // 100, n % 100)
        result.append({
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": number,
            "To": "+16175550100",
            "Body": "Hi, need movers in 78704 this week, bench %s %d" % (run, n),
            "NumMedia": "0",
            "NumSegments": "1",
        })
    return result


def post_all(session, url, token, requests_params):
    latencies = []
    started = time.perf_counter()
    for params in requests_params:
        headers = {"X-Twilio-Signature": sign(token, url, params)}
        before = time.perf_counter()
        response = session.post(url, data=params, headers=headers, timeout=60)
        latencies.append(time.perf_counter() - before)
        if response.status_code != 200:
            raise SystemExit(
                "the webhook returned HTTP %s for MessageSid %s: %s"
                % (response.status_code, params["MessageSid"], response.text[:200])
            )
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "max": max(latencies),
    }


def main():
    url, token, stub_port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    stub = IapStub(stub_port)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        params = make_requests(count)
        with requests.Session() as session:
            # One request first, untimed: the worker loads the registry.
            warm = make_requests(1)[0]
            warm["From"] = "+12005550199"
            session.post(url, data=warm, headers={"X-Twilio-Signature": sign(token, url, warm)},
                         timeout=120)
            texts_before = stub.texts
            new = post_all(session, url, token, params)
            texts_after_new = stub.texts
            duplicate = post_all(session, url, token, params)
            texts_after_duplicates = stub.texts
    finally:
        stub.shutdown()
    print("BENCH_RESULT " + json.dumps({
        "new": new,
        "duplicate": duplicate,
        "texts_sent_for_new": texts_after_new - texts_before,
        "texts_sent_for_duplicates": texts_after_duplicates - texts_after_new,
        "stub_paths": sorted(set(stub.paths)),
    }))


if __name__ == "__main__":
    main()
