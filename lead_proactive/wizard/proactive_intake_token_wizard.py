# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ProactiveIntakeTokenWizard(models.TransientModel):
    """Shows a newly generated source token once. The source stores only its
    hash; this transient row is deleted by Odoo's transient-model vacuum and
    when the dialog is closed."""

    _name = "proactive.intake.token.wizard"
    _description = "Lead Source Token"

    source_id = fields.Many2one("proactive.intake.source", required=True, readonly=True)
    token = fields.Char(readonly=True)
    endpoint_url = fields.Char(related="source_id.endpoint_url")
    adapter = fields.Selection(related="source_id.adapter")
    allow_url_token = fields.Boolean(related="source_id.allow_url_token")
    url_with_token = fields.Char(
        string="Webhook URL with Token",
        compute="_compute_url_with_token",
        help="For platforms that only take a URL: the token is its last part.",
    )

    @api.depends("endpoint_url", "token", "allow_url_token")
    def _compute_url_with_token(self):
        for wizard in self:
            wizard.url_with_token = (
                "%s/%s" % (wizard.endpoint_url, wizard.token)
                if wizard.allow_url_token and wizard.endpoint_url and wizard.token
                else False
            )

    def action_close(self):
        self.unlink()
        return {"type": "ir.actions.act_window_close"}
