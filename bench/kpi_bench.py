#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time the lead KPI queries of lead_proactive_kpi on a large database.

Creates a database with the suite installed, fills it with N leads and their
touches through SQL generate_series (no ORM, so a million leads take minutes,
not hours), then times, inside Odoo:

* the KPI pivot grouped by week and source, with its totals
  (formatted_read_grouping_sets, what the pivot view runs). It runs for a manager over all leads and with the default
  "Last 13 Weeks" filter, for a salesperson (record rules applied), and for a
  manager requesting every measure, touch counts included;
* one week's snapshot computation (medians and 90th percentiles at every
  level), the stored-model part of the weekly report;
* the leakage list and the script performance list.

Prints a table and writes it into docs/benchmarks.md between the result
markers, keeping the rest of that page. Run it with the suite's virtual
environment, for example:

    ~/.local/share/proactive-leads/venv/bin/python bench/kpi_bench.py --leads 100000
"""

import argparse
import datetime
import os
import statistics
import time

from bench_common import (
    add_database_arguments,
    create_database,
    load_average_text,
    load_odoo,
    log,
    run_time_text,
    write_section,
)

RESULTS_NAME = "results"
PIVOT_TARGET = 2.0
SNAPSHOT_TARGET = 10.0
# Leads arrive over this many weeks before the run.
WEEKS_OF_HISTORY = 104


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000,
                        help="number of leads to generate (default 1,000,000)")
    add_database_arguments(parser, "proactive_kpi_bench")
    parser.add_argument("--reuse", action="store_true",
                        help="time an existing benchmark database instead of creating one")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query (default 3)")
    return parser.parse_args()


# ------------------------------------------------------------
# Data generation
# ------------------------------------------------------------
def generate_data(env, leads):
    """Insert ``leads`` leads spread over the last WEEKS_OF_HISTORY weeks,
    with their touches, in plain SQL."""
    cr = env.cr
    teams = env["crm.team"].create(
        [{"name": "Bench team %s" % index, "use_opportunities": True} for index in range(3)]
    )
    users = env["res.users"].create(
        [
            {
                "name": "Bench salesperson %s" % index,
                "login": "bench_salesperson_%s" % index,
                "group_ids": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
            }
            for index in range(10)
        ]
    )
    sources = env["utm.source"].search([]).ids
    stage = {
        milestone: env["crm.stage"]._proactive_find(milestone).id
        for milestone in ("new", "qualified", "options_sent", "booked", "won")
    }
    templates = env["mail.template"].search([("proactive_usage", "=", "instant_reply")]).ids
    medium = env.ref("utm.utm_medium_email").id
    company = env.company
    company.partner_id.tz = "America/Chicago"
    env.flush_all()

    log("inserting %s leads", f"{leads:,}")
    started = time.monotonic()
    cr.execute("SELECT setseed(0.42)")
    cr.execute(
        """
        INSERT INTO crm_lead (
            name, type, active, won_status, probability, stage_id, team_id, user_id,
            company_id, source_id, medium_id, proactive_channel, proactive_arrival_date,
            proactive_arrival_week, create_date, write_date, create_uid, write_uid,
            date_last_stage_update, date_closed, proactive_first_response_date,
            proactive_first_response_seconds, proactive_replied)
        SELECT 'Bench lead ' || g,
               'opportunity',
               outcome < 0.92,
               CASE WHEN outcome >= 0.92 THEN 'lost'
                    WHEN outcome >= 0.85 THEN 'won' ELSE 'pending' END,
               CASE WHEN outcome >= 0.92 THEN 0 WHEN outcome >= 0.85 THEN 100 ELSE 10 END,
               CASE WHEN outcome < 0.45 OR outcome >= 0.92 THEN %(new)s
                    WHEN outcome < 0.65 THEN %(qualified)s
                    WHEN outcome < 0.75 THEN %(options_sent)s
                    WHEN outcome < 0.85 THEN %(booked)s
                    ELSE %(won)s END,
               (%(teams)s::int[])[1 + (g %% 3)],
               (%(users)s::int[])[1 + (g %% 10)],
               %(company)s,
               (%(sources)s::int[])[1 + floor(source_draw * %(source_count)s)::int],
               %(medium)s,
               'email',
               arrival,
               -- What crm.lead._compute_proactive_arrival_week stores.
               date_trunc('week', timezone(%(tz)s, timezone('UTC', arrival)))::date,
               arrival, arrival, 1, 1, arrival,
               CASE WHEN outcome >= 0.85 THEN arrival + interval '2 days' END,
               CASE WHEN answered THEN arrival + response * interval '1 second' END,
               CASE WHEN answered THEN response END,
               answered AND replied_draw < 0.5
          FROM (
              SELECT g,
                     random() AS outcome,
                     random() AS source_draw,
                     random() < 0.92 AS answered,
                     random() AS replied_draw,
                     -- Log-uniform: half the leads answered within about a
                     -- minute, a tail up to about 80 minutes.
                     floor(exp(random() * 8.5))::int AS response,
                     (now() AT TIME ZONE 'UTC')
                         - random() * %(weeks)s * interval '7 days' AS arrival
                FROM generate_series(1, %(leads)s) AS g
          ) AS draw
        """,
        {
            **stage,
            "teams": teams.ids,
            "users": users.ids,
            "company": company.id,
            "tz": company.proactive_kpi_tz,
            "sources": sources,
            "source_count": len(sources),
            "medium": medium,
            "weeks": WEEKS_OF_HISTORY,
            "leads": leads,
        },
    )
    log("leads inserted in %.0fs; inserting touches", time.monotonic() - started)
    started = time.monotonic()
    # Answered leads get the instant reply and 0 to 3 follow-ups; a lead that
    # replied did so after its last touch.
    cr.execute(
        """
        INSERT INTO proactive_touch (
            lead_id, step, kind, channel, state, date, team_id, source_id, replied,
            mail_template_id, create_date, write_date, create_uid, write_uid)
        SELECT lead.id, step,
               CASE WHEN step = 0 THEN 'instant_reply' ELSE 'followup' END,
               'email', 'sent',
               lead.proactive_arrival_date + step * interval '3 hours',
               lead.team_id, lead.source_id,
               lead.proactive_replied AND step = lead.id %% 4,
               CASE WHEN step = 0 THEN (%(templates)s::int[])[1 + lead.id %% %(template_count)s] END,
               lead.create_date, lead.create_date, 1, 1
          FROM crm_lead lead
          CROSS JOIN LATERAL generate_series(0, lead.id %% 4) AS step
         WHERE lead.name LIKE 'Bench lead %%'
           AND lead.proactive_first_response_date IS NOT NULL
        """,
        {"templates": templates, "template_count": len(templates)},
    )
    log("touches inserted in %.0fs; analyzing", time.monotonic() - started)
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE proactive_touch")
    cr.commit()
    return users[0]


# ------------------------------------------------------------
# Timing
# ------------------------------------------------------------
def timed(runs, function):
    """Run ``function`` ``runs`` times; return the durations in seconds."""
    durations = []
    for _run in range(runs):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return durations


def measure(env, salesperson, runs):
    Report = env["proactive.lead.report"]
    Snapshot = env["proactive.kpi.snapshot"].sudo()
    # The pivot view requests the cells and the row, column and grand totals
    # in one call.
    grouping_sets = [["week:day", "source_id"], ["week:day"], ["source_id"], []]
    aggregates = ["booked_rate:avg", "first_response_minutes:avg", "__count"]
    last_13_weeks = [("week", ">", "today -91d")]
    manager = env.ref("base.user_admin")

    every_measure = [
        "%s:%s" % (name, field.aggregator)
        for name, field in Report._fields.items()
        if field.aggregator and field.type in ("integer", "float")
    ]

    def pivot(user, domain, measures=aggregates):
        def run():
            env.invalidate_all()
            Report.with_user(user).formatted_read_grouping_sets(
                domain, grouping_sets, measures
            )
        return run

    today = env.cr.now().date()
    week = today - datetime.timedelta(days=today.weekday(), weeks=1)

    def snapshot():
        env.invalidate_all()
        Snapshot._compute_week(week)

    def leakage():
        env.invalidate_all()
        env["proactive.leakage.report"].with_user(manager).formatted_read_group(
            [], ["category"], ["__count", "waited_hours:max"]
        )

    def scripts():
        env.invalidate_all()
        env["proactive.script.report"].with_user(manager).search_read(
            [], ["sent_count", "reply_rate", "underperforming"]
        )

    rows = [
        ("Pivot, week x source, all leads (manager)", PIVOT_TARGET, pivot(manager, [])),
        ("Pivot, week x source, last 13 weeks (manager)", PIVOT_TARGET,
         pivot(manager, last_13_weeks)),
        ("Pivot, week x source, own leads (salesperson)", PIVOT_TARGET,
         pivot(salesperson, [])),
        ("Pivot, week x source, last 13 weeks, all %s measures (manager)" % len(every_measure),
         PIVOT_TARGET, pivot(manager, last_13_weeks, every_measure)),
        ("Pivot, week x source, all leads, all %s measures (manager)" % len(every_measure),
         PIVOT_TARGET, pivot(manager, [], every_measure)),
        ("Snapshot of one week (week of %s)" % week, SNAPSHOT_TARGET, snapshot),
        ("Leakage list, grouped by category", None, leakage),
        ("Script performance list", None, scripts),
    ]
    results = []
    for label, target, function in rows:
        log("timing: %s", label)
        durations = timed(runs, function)
        results.append((label, target, durations))
    env.cr.rollback()
    return results


def describe_database(env):
    cr = env.cr
    cr.execute("SELECT count(*) FROM crm_lead")
    leads = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM proactive_touch")
    touches = cr.fetchone()[0]
    cr.execute("SHOW server_version")
    version = cr.fetchone()[0]
    settings = {}
    for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather"):
        cr.execute("SHOW %s" % name)
        settings[name] = cr.fetchone()[0]
    return leads, touches, version, settings


def format_results(results, leads, touches, version, settings, runs):
    lines = [
        "Run on %s UTC by `bench/kpi_bench.py`: %s leads, %s touches, %s CPUs "
        "(`os.cpu_count()`), load average %s after the run, PostgreSQL %s "
        "(shared_buffers %s, work_mem %s, max_parallel_workers_per_gather %s). "
        "Each query ran %s times in one transaction. The table shows the first "
        "run and the median."
        % (run_time_text(), f"{leads:,}", f"{touches:,}", os.cpu_count(),
           load_average_text(), version, settings["shared_buffers"], settings["work_mem"],
           settings["max_parallel_workers_per_gather"], runs),
        "",
        "| Query | First run (s) | Median (s) | Target (s) | Result |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for label, target, durations in results:
        median = statistics.median(durations)
        if target is None:
            verdict = "no target"
        elif median <= target:
            verdict = "met"
        else:
            verdict = "missed by %.1f s (x%.1f)" % (median - target, median / target)
        lines.append(
            "| %s | %.2f | %.2f | %s | %s |"
            % (label, durations[0], median, "%g" % target if target else "-", verdict)
        )
    return "\n".join(lines)


def main():
    args = parse_args()
    if not args.reuse:
        create_database(args, "lead_proactive_kpi")

    odoo, registry = load_odoo(args)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.reuse:
            salesperson = env["res.users"].search(
                [("login", "=", "bench_salesperson_0")], limit=1
            )
        else:
            salesperson = generate_data(env, args.leads)
        leads, touches, version, settings = describe_database(env)
        results = measure(env, salesperson, args.runs)
    table = format_results(results, leads, touches, version, settings, args.runs)
    print(table)
    write_section(args.output, RESULTS_NAME, table, heading="Lead KPIs")
    log("results written to %s", args.output)


if __name__ == "__main__":
    main()
