# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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

    def action_close(self):
        self.unlink()
        return {"type": "ir.actions.act_window_close"}
