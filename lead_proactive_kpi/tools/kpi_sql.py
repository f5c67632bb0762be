# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SQL fragments shared by the KPI views and the snapshot computation."""

from odoo.tools import SQL

TARGET_PARAM = "lead_proactive_kpi.first_reply_target_minutes"
DEFAULT_TARGET_MINUTES = 5.0
# Minutes a qualified lead may wait for a next step (a planned activity)
# before the leakage report lists it. The default is the target of the
# default "qualified follow-up" SLA policy.
NO_NEXT_STEP_GRACE_PARAM = "lead_proactive_kpi.no_next_step_grace_minutes"
DEFAULT_NO_NEXT_STEP_GRACE_MINUTES = 15.0
# Source shown in the reports for leads that have none.
UNKNOWN_SOURCE_XMLID = "lead_proactive_kpi.utm_source_unknown"

# Milestones at or past "qualified" and at or past "booked", in the order of
# crm.stage.proactive_milestone.
QUALIFIED_MILESTONES = ("qualified", "options_sent", "booked", "won")
BOOKED_MILESTONES = ("booked", "won")


def first_reply_target_minutes():
    """Return the first-reply target in minutes, read from the system
    parameter when the query runs, so that changing it needs no view rebuild.

    A value that is not a plain non-negative number falls back to the default
    instead of failing every query that uses it.
    """
    # NOTE: once SLA policies exist, the per-lead first-reply target could come
    # from them; this global parameter is what the KPI views use meanwhile.
    return number_param(TARGET_PARAM, DEFAULT_TARGET_MINUTES)


def no_next_step_grace_minutes():
    """Return the minutes a qualified lead may go without a planned activity
    before the leakage report lists it, read when the query runs."""
    return number_param(NO_NEXT_STEP_GRACE_PARAM, DEFAULT_NO_NEXT_STEP_GRACE_MINUTES)


def number_param(key, default):
    """Return the system parameter ``key`` as a number, or ``default`` when it
    is missing or not a plain non-negative number."""
    return SQL(
        """COALESCE((
            SELECT CASE WHEN value ~ '^\\s*[0-9]+(\\.[0-9]+)?\\s*$'
                        THEN trim(value)::numeric END
              FROM ir_config_parameter
             WHERE key = %s), %s)""",
        key,
        default,
    )


def source(alias):
    """Return the lead's utm.source id, or the "Unknown source" record's for a
    lead without one, so that reports group such leads under a name."""
    module, name = UNKNOWN_SOURCE_XMLID.split(".")
    return SQL(
        """COALESCE(%s, (
            SELECT res_id FROM ir_model_data
             WHERE module = %s AND name = %s AND model = 'utm.source'))""",
        SQL.identifier(alias, "source_id"),
        module,
        name,
    )


def disable_jit(cr):
    """Turn PostgreSQL's JIT compiler off until the end of the transaction.

    The touch measures make PostgreSQL overestimate the cost of a grouped
    query on the lead report, so JIT starts and compiles for longer than the
    query runs. Measured with bench/kpi_bench.py on PostgreSQL 15: 1.3 s of
    a 2.5 s query over 120,000 leads with every measure, and 0.3 s in all
    without JIT.
    """
    cr.execute(SQL("SET LOCAL jit = off"))


def arrival(alias):
    """Return when the lead aliased ``alias`` arrived: its arrival date, else
    its creation date.

    The expression matches the index crm_lead_proactive_kpi_arrival_index, so
    range conditions on it use that index.
    """
    return SQL(
        "COALESCE(%s, %s)",
        SQL.identifier(alias, "proactive_arrival_date"),
        SQL.identifier(alias, "create_date"),
    )


def arrival_week(alias, tz):
    """Return the Monday of the lead's arrival week in the time zone ``tz``
    (an SQL expression), as crm.lead.proactive_arrival_week stores it."""
    return SQL(
        "date_trunc('week', timezone(%s, timezone('UTC', %s)))::date",
        tz,
        arrival(alias),
    )
