"""Measure the time from message_process start to the instant reply reaching
an SMTP server on 127.0.0.1, through a running Odoo server.

Usage: python bench_reply_latency.py URL DB SMTP_PORT COUNT
Started by bench/run.sh, which starts Odoo with --smtp-port=SMTP_PORT.
"""

import json
import queue
import statistics
import sys
import time
import xmlrpc.client

from aiosmtpd.controller import Controller


class Collector:
    def __init__(self):
        self.arrivals = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.arrivals.put((time.perf_counter(), envelope.rcpt_tos))
        return "250 OK"


def main():
    url, db, smtp_port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    uid = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common").authenticate(db, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object")
    latencies = []
    try:
        for n in range(count):
            raw = (
                "From: Latency {n} <latency{n}@example.net>\n"
                "To: leads@bench.example.com\n"
                "Subject: Need movers {n}\n"
                "Message-ID: <latency-{n}@example.net>\n"
                "Content-Type: text/plain; charset=UTF-8\n\n"
                "Hi, need movers in 78704 this week.\n"
            ).format(n=n)
            start = time.perf_counter()
            models.execute_kw(db, uid, "admin", "mail.thread", "message_process",
                              [False, xmlrpc.client.Binary(raw.encode())])
            while True:
                arrived, rcpts = collector.arrivals.get(timeout=30)
                if any("latency%d@" % n in r for r in rcpts):
                    latencies.append(arrived - start)
                    break
    finally:
        controller.stop()
    print("BENCH_RESULT " + json.dumps({
        "emails": count,
        "median": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "max": max(latencies),
    }))


if __name__ == "__main__":
    main()
