# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..tools import kpi_sql

CATEGORIES = [
    ("waiting_reply", "Waiting for a First Reply"),
    ("past_sla", "Past an SLA"),
    ("no_next_step", "Qualified, No Next Step"),
    ("lost_after_sequence", "Lost After the Follow-ups"),
]
# Lost leads stay on the list for this many days after they were lost.
LOST_DAYS = 28
NO_RESPONSE_REASON_XMLID = "lead_proactive.crm_lost_reason_no_response"


class ProactiveLeakageReport(models.Model):
    """Leads that are slipping through right now, one row per lead and
    category (a lead can be in two categories). Computed when read."""

    _name = "proactive.leakage.report"
    _description = "Lead Leakage"
    _auto = False
    _rec_name = "lead_id"
    _order = "category, since, id"
    _depends = {
        "crm.lead": [
            "active",
            "won_status",
            "proactive_arrival_date",
            "create_date",
            "proactive_first_response_date",
            "proactive_channel",
            "proactive_opt_out",
            "stage_id",
            "date_last_stage_update",
            "date_closed",
            "lost_reason_id",
            "user_id",
            "team_id",
            "company_id",
            "source_id",
        ],
        "crm.stage": ["proactive_milestone"],
        "mail.activity": ["res_model", "res_id", "active"],
        "proactive.touch": ["lead_id", "kind", "state"],
        "ir.config_parameter": ["key", "value"],
    }

    category = fields.Selection(CATEGORIES, string="Category", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    arrival_date = fields.Datetime(string="Arrived On", readonly=True)
    since = fields.Datetime(
        string="Waiting Since",
        readonly=True,
        help="Waiting for a first reply: since the lead arrived. Past an SLA: "
        "since the deadline passed. Qualified, no next step: since the last "
        "stage change. Lost after the follow-ups: since the lead was lost.",
    )
    # No aggregator: a group row would show a total or a maximum of waits
    # that started at different times, which the list cannot label.
    waited_minutes = fields.Integer(
        string="Waited (min)", readonly=True, aggregator=None,
        help="Minutes from Waiting Since to now.",
    )
    waited_hours = fields.Float(
        string="Waited (h)", readonly=True, aggregator=None,
        help="Hours from Waiting Since to now.",
    )

    def action_open_lead(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "views": [(False, "form")],
        }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    def _query(self):
        categories = [
            ("waiting_reply", *self._waiting_reply()),
            ("past_sla", *self._past_sla()),
            ("no_next_step", *self._no_next_step()),
            ("lost_after_sequence", *self._lost_after_sequence()),
        ]
        parts = [
            SQL(
                """
                SELECT lead.id * %(count)s + %(rank)s AS id,
                       %(category)s AS category,
                       lead.id AS lead_id,
                       lead.user_id,
                       lead.team_id,
                       lead.company_id,
                       %(source)s AS source_id,
                       lead.stage_id,
                       %(arrival)s AS arrival_date,
                       %(since)s AS since,
                       floor(extract(epoch FROM (%(now)s - %(since)s)) / 60)::int
                           AS waited_minutes,
                       extract(epoch FROM (%(now)s - %(since)s)) / 3600.0 AS waited_hours
                  FROM crm_lead lead
                  LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                 WHERE %(condition)s
                """,
                count=len(CATEGORIES),
                rank=rank,
                category=category,
                arrival=kpi_sql.arrival("lead"),
                source=kpi_sql.source("lead"),
                since=since,
                now=self._now(),
                condition=condition,
            )
            for rank, (category, condition, since) in enumerate(categories)
        ]
        return SQL("UNION ALL").join(parts)

    # ------------------------------------------------------------
    # Categories: each returns (condition, waiting since)
    # ------------------------------------------------------------
    @staticmethod
    def _now():
        return SQL("(now() AT TIME ZONE 'UTC')")

    def _open_lead(self):
        return SQL("(lead.active AND lead.won_status = 'pending')")

    def _unanswered(self):
        """An open lead that came in through a channel (not typed in by a
        salesperson), did not opt out, and got no first reply yet."""
        return SQL(
            """(%s AND lead.proactive_first_response_date IS NULL
                AND lead.proactive_channel IS NOT NULL
                AND lead.proactive_channel <> 'manual'
                AND NOT COALESCE(lead.proactive_opt_out, FALSE))""",
            self._open_lead(),
        )

    def _waiting_reply(self):
        return self._unanswered(), kpi_sql.arrival("lead")

    def _past_sla(self):
        # NOTE: SLA policies add sla_deadline and sla_status to crm.lead. Until
        # they exist, a lead is past its SLA when it has waited longer than the
        # first-reply target. The view is rebuilt on every module update, so
        # it uses the SLA fields from the first update after they appear.
        lead_fields = self.env["crm.lead"]._fields
        if "sla_deadline" in lead_fields and "sla_status" in lead_fields:
            condition = SQL(
                """(%s AND (lead.sla_status = 'breached'
                         OR (lead.sla_deadline < %s
                             AND lead.sla_status IN ('on_track', 'at_risk'))))""",
                self._open_lead(),
                self._now(),
            )
            return condition, SQL("COALESCE(lead.sla_deadline, %s)", kpi_sql.arrival("lead"))
        deadline = SQL(
            "(%s + %s * interval '1 minute')",
            kpi_sql.arrival("lead"),
            kpi_sql.first_reply_target_minutes(),
        )
        condition = SQL("(%s AND %s < %s)", self._unanswered(), deadline, self._now())
        return condition, deadline

    def _no_next_step(self):
        """Qualified leads with no planned activity for longer than the grace
        period, so a lead being worked right after qualification is left out."""
        since = SQL(
            "COALESCE(lead.date_last_stage_update, %s)", kpi_sql.arrival("lead")
        )
        condition = SQL(
            """(%s AND stage.proactive_milestone IN ('qualified', 'options_sent')
                AND %s <= %s - %s * interval '1 minute'
                AND NOT EXISTS (
                    SELECT 1 FROM mail_activity activity
                     WHERE activity.res_model = 'crm.lead'
                       AND activity.res_id = lead.id
                       AND activity.active))""",
            self._open_lead(),
            since,
            self._now(),
            kpi_sql.no_next_step_grace_minutes(),
        )
        return condition, since

    def _lost_after_sequence(self):
        """Leads lost in the last LOST_DAYS days because the follow-ups got no
        reply: the lost reason the follow-up sequence sets, or, where that
        reason does not exist, any lost lead that received a follow-up."""
        reason = self.env.ref(NO_RESPONSE_REASON_XMLID, raise_if_not_found=False)
        if reason:
            cause = SQL("lead.lost_reason_id = %s", reason.id)
        else:
            cause = SQL(
                """EXISTS (SELECT 1 FROM proactive_touch touch
                            WHERE touch.lead_id = lead.id
                              AND touch.kind = 'followup'
                              AND touch.state = 'sent')"""
            )
        since = SQL("COALESCE(lead.date_closed, lead.write_date)")
        condition = SQL(
            "(lead.won_status = 'lost' AND %s >= %s - %s * interval '1 day' AND %s)",
            since,
            self._now(),
            LOST_DAYS,
            cause,
        )
        return condition, since
