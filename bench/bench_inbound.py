"""Measure what the suite adds to inbound email processing.

Run inside ``odoo shell`` by bench/run.sh, once on a database with only
``crm`` and once on a database with the suite, with the same generated
emails. Prints one JSON line: the per-message times in seconds and the SQL
queries per message.

The senders' addresses contain BENCH_RUN, so a second run on the same
database creates new leads instead of finding the first run's leads.
"""

import json
import os
import statistics
import time

from odoo import sql_db

COUNT = int(os.environ.get("BENCH_EMAILS", "500"))
EMAIL = """From: Bench Person {n} <bench.person{n}.{run}@example.net>
To: leads@bench.example.com
Subject: Quote request {n}
Message-ID: <bench-{run}-{n}@example.net>
Date: Mon, 30 Nov 2026 15:04:00 -0600
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Hi, I need a couch moved from 787{z:02d} today after 4. Can I pay today?
Budget is around $200. My cell is 512 555 01{z:02d}.

Thanks,
Person {n}
"""

domain = env["mail.alias.domain"].search([("name", "=", "bench.example.com")], limit=1)
if not domain:
    domain = env["mail.alias.domain"].create({"name": "bench.example.com"})
env.company.alias_domain_id = domain
team = env.ref("sales_team.team_sales_department")
team.write({"use_leads": True, "alias_name": "leads", "alias_domain_id": domain.id})
env.cr.commit()

run = os.environ.get("BENCH_RUN", "run")
timings = []
# CPU time of this process (PostgreSQL's work excluded): less disturbed than
# the wall-clock time when other jobs share the machine's cores.
cpu_timings = []
# Queries of the gateway's transaction (env.cr), and of every cursor: the
# instant reply is sent after the commit on a cursor of its own.
queries, all_queries = [], []
Thread = env["mail.thread"].sudo()
for n in range(COUNT):
    raw = EMAIL.format(n=n, z=n % 100, run=run).encode()
    count_start, all_count_start = env.cr.sql_log_count, sql_db.sql_counter
    start, cpu_start = time.perf_counter(), time.process_time()
    Thread.message_process(False, raw)
    env.cr.commit()
    timings.append(time.perf_counter() - start)
    cpu_timings.append(time.process_time() - cpu_start)
    queries.append(env.cr.sql_log_count - count_start)
    all_queries.append(sql_db.sql_counter - all_count_start)

leads = env["crm.lead"].search_count([("email_from", "like", "bench.person")])
print("BENCH_RESULT " + json.dumps({
    "emails": COUNT,
    "leads": leads,
    "median": statistics.median(timings),
    "mean": statistics.fmean(timings),
    "p95": statistics.quantiles(timings, n=20)[-1],
    "cpu_median": statistics.median(cpu_timings),
    # The first email fills Odoo's caches: it is left out of the counts.
    "queries_median": statistics.median(queries[1:] or queries),
    "all_queries_median": statistics.median(all_queries[1:] or all_queries),
}))
