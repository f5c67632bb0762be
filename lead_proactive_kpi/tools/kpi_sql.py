# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SQL fragments shared by the KPI views and the snapshot computation."""

from odoo.tools import SQL

TARGET_PARAM = "lead_proactive_kpi.first_reply_target_minutes"
DEFAULT_TARGET_MINUTES = 5.0

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
    return SQL(
        """COALESCE((
            SELECT CASE WHEN value ~ '^\\s*[0-9]+(\\.[0-9]+)?\\s*$'
                        THEN trim(value)::numeric END
              FROM ir_config_parameter
             WHERE key = %s), %s)""",
        TARGET_PARAM,
        DEFAULT_TARGET_MINUTES,
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
