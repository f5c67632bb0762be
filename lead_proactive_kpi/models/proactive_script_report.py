# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools import kpi_sql, kpi_stats

UNDERPERFORMING_HELP = (
    "The script's reply rate is significantly below the combined reply rate "
    "of the other active scripts with the same use: a one-sided "
    "two-proportion z-test at p < 0.05 (z of at least 1.645), counted only "
    "when the script and its siblings combined each have at least 30 sends."
)


class ProactiveScriptReport(models.Model):
    """Sends, replies and bookings per lead script (mail template), over all
    time, with the script compared against its siblings (the other active
    scripts with the same use)."""

    # NOTE: SMS scripts are not listed: touches reference only mail templates.

    _name = "proactive.script.report"
    _description = "Lead Script Performance"
    _auto = False
    _rec_name = "mail_template_id"
    _order = "usage, reply_rate desc, id"
    _depends = {
        "mail.template": ["proactive_usage", "active", "name"],
        "proactive.touch": ["mail_template_id", "state", "replied", "lead_id"],
        "crm.lead": ["stage_id", "won_status"],
        "crm.stage": ["proactive_milestone"],
    }

    mail_template_id = fields.Many2one("mail.template", string="Script", readonly=True)
    usage = fields.Selection(selection="_selection_usage", string="Use", readonly=True)
    script_active = fields.Boolean(
        string="In Use", readonly=True, help="Cleared when the script is retired (archived)."
    )
    sent_count = fields.Integer(string="Sent", readonly=True)
    replied_count = fields.Integer(string="Replies", readonly=True)
    reply_rate = fields.Float(
        string="Reply Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of sent touches with this script that the lead replied to "
        "before the next touch.",
    )
    lead_count = fields.Integer(string="Leads", readonly=True)
    booked_count = fields.Integer(string="Booked", readonly=True)
    booked_rate = fields.Float(
        string="Booked Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of the leads that received this script and reached a "
        "booked next step (Booked or Won).",
    )
    sibling_sent_count = fields.Integer(
        string="Siblings Sent", readonly=True,
        help="Sends of the other active scripts with the same use, combined.",
    )
    sibling_replied_count = fields.Integer(string="Siblings Replies", readonly=True)
    sibling_reply_rate = fields.Float(
        string="Siblings Reply Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    z_score = fields.Float(
        string="z", readonly=True, aggregator=False,
        help="Two-proportion z statistic, positive when the script's reply "
        "rate is below its siblings'.",
    )
    p_value = fields.Float(
        string="p-value", compute="_compute_p_value", digits=(16, 4),
        help="One-sided p-value of the z-test: the chance of a gap at least "
        "this large if the script did as well as its siblings.",
    )
    underperforming = fields.Boolean(
        string="Underperforming", readonly=True, help=UNDERPERFORMING_HELP
    )

    @api.model
    def _selection_usage(self):
        return self.env["mail.template"]._fields["proactive_usage"]._description_selection(
            self.env
        )

    @api.depends("z_score")
    def _compute_p_value(self):
        for script in self:
            sends = script.sent_count + script.sibling_sent_count
            replies = script.replied_count + script.sibling_replied_count
            # Without sends on both sides, or with no reply or only replies,
            # the test is undefined: no evidence of a difference.
            defined = script.sent_count and script.sibling_sent_count and 0 < replies < sends
            script.p_value = kpi_stats.one_sided_p_value(script.z_score) if defined else 1.0

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
        # The flag is a one-sided two-proportion z-test at p < 0.05: it is set
        # when the script's reply rate is below its siblings' combined rate
        # with z >= 1.645, and both sides have at least MIN_SENDS sends. The
        # siblings are the other active scripts with the same use.
        return SQL(
            """
            WITH touch_stats AS (
                SELECT touch.mail_template_id AS template_id,
                       count(*) AS sent_count,
                       count(*) FILTER (WHERE touch.replied) AS replied_count,
                       count(DISTINCT touch.lead_id) AS lead_count,
                       count(DISTINCT touch.lead_id) FILTER (
                           WHERE stage.proactive_milestone IN %(booked)s
                              OR lead.won_status = 'won') AS booked_count
                  FROM proactive_touch touch
                  JOIN crm_lead lead ON lead.id = touch.lead_id
                  LEFT JOIN crm_stage stage ON stage.id = lead.stage_id
                 WHERE touch.state = 'sent' AND touch.mail_template_id IS NOT NULL
                 GROUP BY touch.mail_template_id
            ), scripts AS (
                SELECT template.id,
                       template.proactive_usage AS usage,
                       template.active AS script_active,
                       COALESCE(template.proactive_usage, 'template ' || template.id)
                           AS sibling_key,
                       COALESCE(stats.sent_count, 0) AS sent_count,
                       COALESCE(stats.replied_count, 0) AS replied_count,
                       COALESCE(stats.lead_count, 0) AS lead_count,
                       COALESCE(stats.booked_count, 0) AS booked_count
                  FROM mail_template template
                  LEFT JOIN touch_stats stats ON stats.template_id = template.id
                 WHERE template.proactive_usage IS NOT NULL
                    OR stats.template_id IS NOT NULL
            ), with_siblings AS (
                SELECT scripts.*,
                       COALESCE(sum(sent_count) FILTER (WHERE script_active) OVER siblings, 0)
                           - CASE WHEN script_active THEN sent_count ELSE 0 END
                           AS sibling_sent_count,
                       COALESCE(sum(replied_count) FILTER (WHERE script_active) OVER siblings, 0)
                           - CASE WHEN script_active THEN replied_count ELSE 0 END
                           AS sibling_replied_count
                  FROM scripts
                WINDOW siblings AS (PARTITION BY sibling_key)
            ), with_z AS (
                SELECT with_siblings.*,
                       CASE WHEN sent_count > 0 AND sibling_sent_count > 0
                             AND replied_count + sibling_replied_count > 0
                             AND replied_count + sibling_replied_count
                                 < sent_count + sibling_sent_count
                       THEN (sibling_replied_count::float / sibling_sent_count
                             - replied_count::float / sent_count)
                            / sqrt(
                                (replied_count + sibling_replied_count)::float
                                    / (sent_count + sibling_sent_count)
                                * (1 - (replied_count + sibling_replied_count)::float
                                       / (sent_count + sibling_sent_count))
                                * (1.0 / sent_count + 1.0 / sibling_sent_count))
                       END AS z_score
                  FROM with_siblings
            )
            SELECT id,
                   id AS mail_template_id,
                   usage,
                   script_active,
                   sent_count,
                   replied_count,
                   100.0 * replied_count / NULLIF(sent_count, 0) AS reply_rate,
                   lead_count,
                   booked_count,
                   100.0 * booked_count / NULLIF(lead_count, 0) AS booked_rate,
                   sibling_sent_count,
                   sibling_replied_count,
                   100.0 * sibling_replied_count / NULLIF(sibling_sent_count, 0)
                       AS sibling_reply_rate,
                   z_score,
                   COALESCE(sent_count >= %(min_sends)s
                            AND sibling_sent_count >= %(min_sends)s
                            AND z_score >= %(z_critical)s, FALSE) AS underperforming
              FROM with_z
            """,
            booked=kpi_sql.BOOKED_MILESTONES,
            min_sends=kpi_stats.MIN_SENDS,
            z_critical=kpi_stats.Z_CRITICAL_ONE_SIDED_05,
        )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_retire(self):
        """Archive the scripts, so the automation stops choosing them."""
        self.mail_template_id.action_archive()
        self.invalidate_model(["script_active", "sibling_sent_count", "sibling_replied_count"])
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_restore(self):
        self.mail_template_id.action_unarchive()
        self.invalidate_model(["script_active", "sibling_sent_count", "sibling_replied_count"])
        return {"type": "ir.actions.client", "tag": "soft_reload"}
