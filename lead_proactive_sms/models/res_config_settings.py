# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools.urls import urljoin

WEBHOOK_PATH = "/lead_sms/twilio/inbound"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    proactive_sms_hour_start = fields.Float(
        related="company_id.proactive_sms_hour_start", readonly=False
    )
    proactive_sms_hour_end = fields.Float(
        related="company_id.proactive_sms_hour_end", readonly=False
    )
    proactive_sms_state_rules = fields.Boolean(
        related="company_id.proactive_sms_state_rules", readonly=False
    )
    proactive_sms_reply_anytime = fields.Boolean(
        related="company_id.proactive_sms_reply_anytime", readonly=False
    )
    proactive_sms_keyword_replies = fields.Boolean(
        related="company_id.proactive_sms_keyword_replies", readonly=False
    )
    proactive_sms_help_text = fields.Char(
        related="company_id.proactive_sms_help_text", readonly=False
    )
    proactive_sms_opt_out_text = fields.Char(
        related="company_id.proactive_sms_opt_out_text", readonly=False
    )
    proactive_sms_opt_in_text = fields.Char(
        related="company_id.proactive_sms_opt_in_text", readonly=False
    )
    proactive_sms_opt_out_keywords = fields.Char(
        related="company_id.proactive_sms_opt_out_keywords", readonly=False
    )
    proactive_sms_team_id = fields.Many2one(
        related="company_id.proactive_sms_team_id", readonly=False
    )
    proactive_sms_part_window = fields.Integer(
        related="company_id.proactive_sms_part_window", readonly=False
    )
    proactive_sms_reply_cooldown = fields.Integer(
        related="company_id.proactive_sms_reply_cooldown", readonly=False
    )
    proactive_sms_webhook_url = fields.Char(
        string="Twilio Webhook URL",
        compute="_compute_proactive_sms_webhook_url",
        help="Paste this URL in Twilio as the number's (or Messaging Service's) "
        "incoming message webhook, method HTTP POST.",
    )

    @api.depends("company_id")
    def _compute_proactive_sms_webhook_url(self):
        for settings in self:
            base_url = settings.company_id.get_base_url()
            settings.proactive_sms_webhook_url = urljoin(base_url, WEBHOOK_PATH)
