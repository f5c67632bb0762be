# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from odoo.addons.lead_proactive.models.crm_stage import MILESTONES

from ..tools import kpi_sql


class ProactiveLeadReport(models.Model):
    """One row per lead with the facts the response KPIs are made of.

    Every outcome is a 0/1 count (summed in the pivot) and a 0/100 rate
    (averaged in the pivot), so that any grouping shows both "how many" and
    "what share" without a computed field.
    """

    _name = "proactive.lead.report"
    _description = "Lead Response KPIs"
    _auto = False
    _rec_name = "lead_id"
    _order = "arrival_date desc, id desc"
    _depends = {
        "crm.lead": [
            "proactive_arrival_date",
            "create_date",
            "proactive_arrival_week",
            "type",
            "source_id",
            "medium_id",
            "team_id",
            "user_id",
            "company_id",
            "stage_id",
            "won_status",
            "lost_reason_id",
            "proactive_first_response_date",
            "proactive_first_response_seconds",
            "proactive_replied",
        ],
        "crm.stage": ["proactive_milestone"],
        "proactive.touch": ["lead_id", "kind", "state", "replied"],
        "ir.config_parameter": ["key", "value"],
    }

    # ------------------------------------------------------------
    # Dimensions
    # ------------------------------------------------------------
    lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True)
    lead_type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")],
        string="Type",
        readonly=True,
    )
    arrival_date = fields.Datetime(
        string="Arrived On",
        readonly=True,
        help="When the lead's first message reached Odoo; the creation date "
        "for leads captured before the lead automation was installed.",
    )
    week = fields.Date(
        string="Week",
        readonly=True,
        help="Monday of the week the lead arrived in, in the time zone of the "
        "lead's company (UTC for leads without a company).",
    )
    source_id = fields.Many2one(
        "utm.source",
        string="Source",
        readonly=True,
        help="The lead's source; leads without one show as Unknown source.",
    )
    medium_id = fields.Many2one("utm.medium", string="Medium", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    milestone = fields.Selection(MILESTONES, string="Stage Milestone", readonly=True)
    won_status = fields.Selection(
        [("won", "Won"), ("lost", "Lost"), ("pending", "Pending")],
        string="Won/Lost",
        readonly=True,
    )
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", readonly=True)

    # ------------------------------------------------------------
    # Response time
    # ------------------------------------------------------------
    first_response_seconds = fields.Integer(
        string="First Response (s)",
        readonly=True,
        aggregator="avg",
        help="Seconds from arrival to the first reply; empty for leads not "
        "answered yet, which the average leaves out.",
    )
    first_response_minutes = fields.Float(
        string="First Response (min)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Minutes from arrival to the first reply; empty for leads not "
        "answered yet, which the average leaves out. Median and 90th "
        "percentile are in the weekly snapshots.",
    )

    # ------------------------------------------------------------
    # Counts (0 or 1 per lead, summed)
    # ------------------------------------------------------------
    responded_count = fields.Integer(
        string="Answered", readonly=True, aggregator="sum",
        help="1 when the lead got a first reply.",
    )
    within_sla_count = fields.Integer(
        string="Answered Within Target", readonly=True, aggregator="sum",
        help="1 when the first reply came within the first-reply target "
        "(system parameter lead_proactive_kpi.first_reply_target_minutes, "
        "5 minutes by default).",
    )
    replied_count = fields.Integer(
        string="Lead Replied", readonly=True, aggregator="sum",
        help="1 when the lead wrote back after our first reply.",
    )
    qualified_count = fields.Integer(
        string="Qualified", readonly=True, aggregator="sum",
        help="1 when the lead's stage is Qualified or a later milestone, or "
        "the lead is won.",
    )
    booked_count = fields.Integer(
        string="Booked Next Steps", readonly=True, aggregator="sum",
        help="1 when the lead's stage is Booked or Won, or the lead is won.",
    )
    recovered_count = fields.Integer(
        string="Recovered by Follow-up", readonly=True, aggregator="sum",
        help="1 when the lead replied only after a follow-up: a follow-up "
        "touch earned a reply and the instant reply did not.",
    )
    won_count = fields.Integer(string="Won", readonly=True, aggregator="sum")
    lost_count = fields.Integer(string="Lost", readonly=True, aggregator="sum")
    touch_count = fields.Integer(
        string="Touches Sent", readonly=True, aggregator="sum",
        help="Automated messages sent to the lead (instant reply and follow-ups).",
    )

    # ------------------------------------------------------------
    # Rates (0 or 100 per lead, averaged)
    # ------------------------------------------------------------
    within_sla_rate = fields.Float(
        string="Answered Within Target (%)", readonly=True, aggregator="avg",
        digits=(16, 1),
        help="Share of leads whose first reply came within the first-reply "
        "target. Leads never answered count as missed.",
    )
    reply_rate = fields.Float(
        string="Reply Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    qualified_rate = fields.Float(
        string="Qualified Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    booked_rate = fields.Float(
        string="Booked Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of leads that reached a booked next step (Booked or Won).",
    )
    recovered_rate = fields.Float(
        string="Recovered Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    won_rate = fields.Float(
        string="Won Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    lost_rate = fields.Float(
        string="Lost Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )

    def action_open_lead(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "views": [(False, "form")],
        }

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # Every read of the view (pivot, graph, list) builds its query here.
        kpi_sql.disable_jit(self.env.cr)
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

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
        """Return the view's SELECT.

        The touch figures come from one lateral subquery per lead rather than
        a join on an aggregate over all touches. PostgreSQL drops that join
        when a query reads no touch column and otherwise reads the touches of
        the selected leads only. Filters on week or arrival_date reach the
        indexes on crm_lead.
        """
        arrival = kpi_sql.arrival("lead")
        answered = SQL("lead.proactive_first_response_date IS NOT NULL")
        within_target = SQL(
            "(%s AND lead.proactive_first_response_seconds <= 60 * %s)",
            answered,
            kpi_sql.first_reply_target_minutes(),
        )
        qualified = SQL(
            "(stage.proactive_milestone IN %s OR lead.won_status = 'won')",
            kpi_sql.QUALIFIED_MILESTONES,
        )
        booked = SQL(
            "(stage.proactive_milestone IN %s OR lead.won_status = 'won')",
            kpi_sql.BOOKED_MILESTONES,
        )
        recovered = SQL("(touches.followup_replied AND NOT touches.instant_replied)")
        replied = SQL("COALESCE(lead.proactive_replied, FALSE)")
        won = SQL("(lead.won_status = 'won')")
        lost = SQL("(lead.won_status = 'lost')")
        outcomes = [
            ("within_sla", within_target),
            ("reply", replied),
            ("qualified", qualified),
            ("booked", booked),
            ("recovered", recovered),
            ("won", won),
            ("lost", lost),
        ]
        counts = SQL(",\n").join(
            SQL("(%s)::int AS %s", condition, SQL.identifier(self._count_column(name)))
            for name, condition in outcomes
        )
        rates = SQL(",\n").join(
            SQL("(100 * (%s)::int)::float8 AS %s", condition, SQL.identifier("%s_rate" % name))
            for name, condition in outcomes
        )
        return SQL(
            """
            SELECT
                lead.id AS id,
                lead.id AS lead_id,
                lead.type AS lead_type,
                %(arrival)s AS arrival_date,
                lead.proactive_arrival_week AS week,
                %(source)s AS source_id,
                lead.medium_id,
                lead.team_id,
                lead.user_id,
                lead.company_id,
                lead.stage_id,
                stage.proactive_milestone AS milestone,
                lead.won_status,
                lead.lost_reason_id,
                CASE WHEN %(answered)s THEN lead.proactive_first_response_seconds END
                    AS first_response_seconds,
                CASE WHEN %(answered)s
                     THEN lead.proactive_first_response_seconds / 60.0::float8 END
                    AS first_response_minutes,
                (%(answered)s)::int AS responded_count,
                %(counts)s,
                %(rates)s,
                touches.sent_count AS touch_count
            FROM crm_lead lead
            LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
            LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE touch.state = 'sent') AS sent_count,
                       COALESCE(bool_or(touch.replied AND touch.kind = 'followup'), FALSE)
                           AS followup_replied,
                       COALESCE(bool_or(touch.replied AND touch.kind = 'instant_reply'), FALSE)
                           AS instant_replied
                  FROM proactive_touch touch
                 WHERE touch.lead_id = lead.id
            ) touches ON TRUE
            """,
            arrival=arrival,
            source=kpi_sql.source("lead"),
            answered=answered,
            counts=counts,
            rates=rates,
        )

    @staticmethod
    def _count_column(outcome):
        return "replied_count" if outcome == "reply" else "%s_count" % outcome
