#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time one run of the follow-up cron and of the SLA cron as the table grows.

Creates a database with the suite. For each size (10,000, 100,000 and
1,000,000 leads by default) it tops the table up with leads inserted through
SQL ``generate_series`` and makes the same 1,000 leads due for a follow-up and
1,000 other leads due for an SLA check. Then it times one call of the method
each cron runs (``crm.lead._cron_send_followups`` and
``crm.lead._cron_check_sla``). Before each run it records ``EXPLAIN (ANALYZE,
BUFFERS)`` of the queries that select the due leads.

Nothing leaves the machine: follow-up emails wait in the mail queue (the
cron queues them and no mail queue worker runs here), and the SLA breach
notifications are sent to an SMTP server this script runs on 127.0.0.1.

Writes its part of docs/benchmarks.md between the cron-results markers.
"""

import argparse
import logging
import os
import pathlib
import time

from bench_common import (
    PROJECT_ROOT,
    add_database_arguments,
    create_database,
    free_port,
    load_average_text,
    load_odoo,
    log,
    run_time_text,
    write_section,
)

RESULTS_NAME = "cron-results"
DUE_LEADS = 1000
DEFAULT_SIZES = "10000,100000,1000000"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES,
        help="comma-separated lead counts, increasing (default %s)" % DEFAULT_SIZES,
    )
    add_database_arguments(parser, "bench_crons")
    parser.add_argument("--modules", default="lead_proactive",
                        help="comma-separated modules to install (default lead_proactive)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the existing database instead of creating it; its "
                        "leads are deleted first")
    parser.add_argument("--runs", type=int, default=1,
                        help="timed runs of each cron per size, the due leads reset "
                        "before each (default 1)")
    parser.add_argument("--plans", default=str(PROJECT_ROOT / "docs" / "benchmark_plans"),
                        help="folder for the EXPLAIN output (default docs/benchmark_plans)")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if args.sizes != sorted(args.sizes) or args.sizes[0] < 2 * DUE_LEADS:
        parser.error("--sizes must increase and start at %s or more" % (2 * DUE_LEADS))
    return args


class CountingSink:
    """An SMTP handler on 127.0.0.1 that counts and drops every mail."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


# ------------------------------------------------------------
# Database and data
# ------------------------------------------------------------
def prepare_configuration(env):
    """Configure the database and return the ids the generated leads refer to.

    The standard sequence may send email at any hour, so a run does not
    depend on the time of day. The crons that call online services are
    switched off.
    """
    cadence = env.ref("lead_proactive.proactive_cadence_standard")
    cadence.write({"email_hour_from": 0.0, "email_hour_to": 24.0})
    team = env.ref("sales_team.team_sales_department")
    team.user_id = env.ref("base.user_admin")
    # The team leader receives the breach notifications. Without demo data
    # the administrator has no email address, and each notification would
    # fail before reaching the SMTP server.
    env.ref("base.user_admin").partner_id.email = "team.leader@bench.example.com"
    env.company.partner_id.tz = "America/Chicago"
    for xmlid in ("crm_iap_enrich.ir_cron_lead_enrichment",
                  "mail.ir_cron_module_update_notification"):
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.active = False
    env.flush_all()
    return {
        "cadence": cadence.id,
        "policy": env.ref("lead_proactive.proactive_sla_policy_first_reply").id,
        "team": team.id,
        "user": env.ref("base.user_admin").id,
        "company": env.company.id,
        "stage": env["crm.stage"]._proactive_find("new").id,
        "medium": env.ref("utm.utm_medium_email").id,
    }


def insert_leads(cr, refs, first, last):
    """Insert leads ``first`` to ``last`` (numbers, both included).

    None is due: 3 % run a follow-up sequence whose next touch is 1 hour to
    3 days ahead, the others finished theirs (no next touch). 3 % have an
    open SLA whose at-risk date and deadline are ahead, 90 % met it and 7 %
    breached it, with dates in the past. A tenth are lost.
    """
    cr.execute(
        """
        INSERT INTO crm_lead (
            name, type, active, won_status, probability, stage_id, team_id, user_id,
            company_id, medium_id, email_from, email_normalized, proactive_channel,
            proactive_arrival_date, create_date, write_date, create_uid, write_uid,
            proactive_cadence_id, proactive_followup_step, proactive_followup_state,
            proactive_next_touch_date, sla_policy_id, sla_target, sla_start_date,
            sla_at_risk_date, sla_deadline, sla_status, sla_met_date, sla_breached)
        SELECT 'Bench lead ' || g, 'opportunity', NOT lost,
               CASE WHEN lost THEN 'lost' ELSE 'pending' END,
               CASE WHEN lost THEN 0 ELSE 10 END,
               %(stage)s, %(team)s, %(user)s, %(company)s, %(medium)s,
               'bench.lead' || g || '@example.net', 'bench.lead' || g || '@example.net',
               'email', arrival, arrival, arrival, 1, 1,
               %(cadence)s,
               CASE WHEN followup_open THEN 1 ELSE 3 END,
               CASE WHEN followup_open THEN 'running' ELSE 'done' END,
               CASE WHEN followup_open
                    THEN now_utc + (1 + random() * 71) * interval '1 hour' END,
               %(policy)s, 'first_reply', arrival,
               CASE WHEN sla_open THEN now_utc + interval '1 hour'
                    ELSE arrival + interval '4 minutes' END,
               CASE WHEN sla_open THEN now_utc + interval '2 hours'
                    ELSE arrival + interval '5 minutes' END,
               CASE WHEN sla_open THEN 'on_track'
                    WHEN sla_draw < 0.93 THEN 'met' ELSE 'breached' END,
               CASE WHEN NOT sla_open AND sla_draw < 0.93
                    THEN arrival + interval '1 minute' END,
               NOT sla_open AND sla_draw >= 0.93
          FROM (
              SELECT g,
                     now() AT TIME ZONE 'UTC' AS now_utc,
                     random() < 0.1 AS lost,
                     random() < 0.03 AS followup_open,
                     random() < 0.03 AS sla_open,
                     random() AS sla_draw,
                     (now() AT TIME ZONE 'UTC') - random() * 730 * interval '1 day'
                         AS arrival
                FROM generate_series(%(first)s, %(last)s) AS g
          ) AS draw
        """,
        {**refs, "first": first, "last": last},
    )


def due_lead_ids(cr):
    """Return the ids of the follow-up leads and the SLA leads made due
    before each run: the first 2 x DUE_LEADS leads."""
    cr.execute("SELECT id FROM crm_lead ORDER BY id LIMIT %s", (2 * DUE_LEADS,))
    ids = [row[0] for row in cr.fetchall()]
    return ids[:DUE_LEADS], ids[DUE_LEADS:]


def make_due(cr, followup_ids, sla_ids):
    """Reset the due leads to the state the crons look for.

    Follow-up leads are open, at step 0 of a running sequence, due 1 to 30
    minutes ago, with their SLA met. SLA leads have no follow-up running;
    half are past their at-risk date, half past their deadline.
    """
    cr.execute("DELETE FROM proactive_touch WHERE lead_id = ANY(%s)", (followup_ids + sla_ids,))
    cr.execute("DELETE FROM mail_activity WHERE res_model = 'crm.lead' AND res_id = ANY(%s)",
               (sla_ids,))
    cr.execute(
        """
        UPDATE crm_lead
           SET active = TRUE, won_status = 'pending', probability = 10,
               proactive_followup_step = 0, proactive_followup_state = 'running',
               proactive_followup_stop_reason = NULL, proactive_error = NULL,
               proactive_next_touch_date = (now() AT TIME ZONE 'UTC')
                   - (1 + random() * 29) * interval '1 minute',
               sla_status = 'met', sla_met_date = create_date + interval '1 minute'
         WHERE id = ANY(%s)
        """,
        (followup_ids,),
    )
    cr.execute(
        """
        UPDATE crm_lead
           SET active = TRUE, won_status = 'pending', probability = 10,
               proactive_followup_state = 'stopped', proactive_next_touch_date = NULL,
               sla_status = CASE WHEN id %% 2 = 0 THEN 'on_track' ELSE 'at_risk' END,
               sla_breached = FALSE, sla_met_date = NULL,
               sla_start_date = (now() AT TIME ZONE 'UTC') - interval '30 minutes',
               sla_at_risk_date = (now() AT TIME ZONE 'UTC') - interval '10 minutes',
               sla_deadline = CASE WHEN id %% 2 = 0
                   THEN (now() AT TIME ZONE 'UTC') + interval '10 minutes'
                   ELSE (now() AT TIME ZONE 'UTC') - interval '5 minutes' END
         WHERE id = ANY(%s)
        """,
        (sla_ids,),
    )


# ------------------------------------------------------------
# Measurements
# ------------------------------------------------------------
def explain(env, label, query_sql):
    """Return the EXPLAIN (ANALYZE, BUFFERS) text of ``query_sql``. Row
    locks taken by the analysed query are released by the rollback."""
    from odoo.tools import SQL  # noqa: PLC0415

    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query_sql))
    plan = "\n".join(row[0] for row in env.cr.fetchall())
    env.cr.rollback()
    return "-- %s\n%s\n" % (label, plan)


def selection_plans(env):
    """Return the plans of the queries that select due leads: the follow-up
    cron's count and its locked batch, and the SLA cron's search."""
    from odoo.tools import SQL  # noqa: PLC0415

    Lead = env["crm.lead"].sudo().with_context(active_test=True)
    now = env.cr.now()
    followup_domain = Lead._get_proactive_followup_due_domain(now)
    count_query = Lead._search(followup_domain)
    batch_query = Lead._search(followup_domain, order="proactive_next_touch_date, id", limit=50)
    sla_query = Lead._search(Lead._get_sla_due_domain(now), order="sla_deadline, id")
    return [
        explain(env, "follow-up cron: count of due leads",
                SQL("SELECT COUNT(*) FROM (%s) AS due", count_query.select())),
        explain(env, "follow-up cron: one locked batch",
                SQL("%s FOR NO KEY UPDATE SKIP LOCKED", batch_query.select())),
        explain(env, "SLA cron: due leads", sla_query.select()),
    ]


def plan_uses_seq_scan(plans):
    return any("Seq Scan on crm_lead" in plan for plan in plans)


def run_cron(env, method):
    env.invalidate_all()
    started = time.perf_counter()
    getattr(env["crm.lead"].sudo(), method)()
    return time.perf_counter() - started


def outcome_counts(cr, followup_ids, sla_ids):
    cr.execute(
        "SELECT count(*) FROM proactive_touch WHERE lead_id = ANY(%s) AND step = 1 "
        "AND state = 'sent'", (followup_ids,),
    )
    followups_sent = cr.fetchone()[0]
    cr.execute(
        "SELECT sla_status, count(*) FROM crm_lead WHERE id = ANY(%s) GROUP BY sla_status",
        (sla_ids,),
    )
    return followups_sent, dict(cr.fetchall())


def measure_size(env, size, runs, sink):
    cr = env.cr
    followup_ids, sla_ids = due_lead_ids(cr)
    results = {"size": size, "followup": [], "sla": [], "checks": []}
    for run in range(runs):
        make_due(cr, followup_ids, sla_ids)
        cr.commit()
        cr.execute("ANALYZE crm_lead")
        cr.commit()
        if run == 0:
            results["plans"] = selection_plans(env)
        mails_before = sink.received
        results["followup"].append(run_cron(env, "_cron_send_followups"))
        results["sla"].append(run_cron(env, "_cron_check_sla"))
        cr.commit()
        sent, statuses = outcome_counts(cr, followup_ids, sla_ids)
        results["checks"].append((sent, statuses, sink.received - mails_before))
        log("%s leads, run %s: follow-ups %.2fs (%s sent), SLA %.2fs (%s)",
            f"{size:,}", run + 1, results["followup"][-1], sent, results["sla"][-1], statuses)
    # Nothing queued by the run may be sent later by another server on this
    # database.
    cr.execute("DELETE FROM mail_mail")
    cr.commit()
    return results


# ------------------------------------------------------------
# Page
# ------------------------------------------------------------
def describe(env, args):
    env.cr.execute("SHOW server_version")
    version = env.cr.fetchone()[0]
    return (
        "Run on %s UTC by `bench/cron_bench.py` (modules: %s), %s CPUs "
        "(`os.cpu_count()`), load average %s after the run, PostgreSQL %s. "
        "Each size ran each cron %s time(s); the table shows the median."
        % (run_time_text(), args.modules, os.cpu_count(), load_average_text(), version,
           args.runs)
    )


def format_results(header, all_results, plans_folder):
    import statistics  # noqa: PLC0415

    lines = [
        header,
        "",
        "| Leads | Follow-up cron run (s) | Follow-ups sent | SLA cron run (s) "
        "| SLA leads at risk / breached | Breach emails | Seq scan on crm_lead |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for results in all_results:
        sent, statuses, mails = results["checks"][-1]
        lines.append(
            "| %s | %.2f | %s | %.2f | %s / %s | %s | %s |"
            % (f"{results['size']:,}", statistics.median(results["followup"]), sent,
               statistics.median(results["sla"]), statuses.get("at_risk", 0),
               statuses.get("breached", 0), mails,
               "yes" if plan_uses_seq_scan(results["plans"]) else "no")
        )
    lines += ["", "Query plans: `%s/`." % plans_folder]
    return "\n".join(lines)


def main():
    args = parse_args()
    if not args.reuse:
        create_database(args, args.modules)

    from aiosmtpd.controller import Controller  # noqa: PLC0415

    sink = CountingSink()
    smtp_port = free_port()
    # aiosmtpd logs each SMTP command at INFO level.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    plans_folder = pathlib.Path(args.plans)
    plans_folder.mkdir(parents=True, exist_ok=True)
    all_results = []
    try:
        odoo, registry = load_odoo(args, ["--smtp=127.0.0.1", "--smtp-port=%s" % smtp_port])
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if args.reuse:
                cr.execute("DELETE FROM crm_lead")
                cr.execute("DELETE FROM mail_message WHERE model = 'crm.lead'")
            refs = prepare_configuration(env)
            cr.commit()
            inserted = 0
            for size in args.sizes:
                log("inserting leads %s to %s", f"{inserted + 1:,}", f"{size:,}")
                started = time.monotonic()
                insert_leads(cr, refs, inserted + 1, size)
                cr.commit()
                log("inserted in %.0fs", time.monotonic() - started)
                inserted = size
                results = measure_size(env, size, args.runs, sink)
                (plans_folder / ("crons_%s_leads.txt" % size)).write_text(
                    "\n".join(results["plans"])
                )
                all_results.append(results)
                # Written after each size, so that a long run interrupted at
                # the largest size keeps the smaller ones.
                table = format_results(
                    describe(env, args), all_results,
                    os.path.relpath(plans_folder, PROJECT_ROOT),
                )
                write_section(
                    args.output, RESULTS_NAME, table, heading="Follow-up and SLA crons"
                )
    finally:
        controller.stop()
    print(table)
    log("results written to %s", args.output)


if __name__ == "__main__":
    main()
