# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    proactive_rollout_checklist = fields.Html(
        string="Rollout Checklist",
        compute="_compute_proactive_rollout",
        sanitize=False,
    )
    proactive_rollout_done_count = fields.Integer(
        string="Rollout Items Done", compute="_compute_proactive_rollout"
    )
    proactive_rollout_item_count = fields.Integer(
        string="Rollout Items", compute="_compute_proactive_rollout"
    )
    proactive_rollout_progress = fields.Float(
        string="Rollout Progress (%)", compute="_compute_proactive_rollout"
    )
    proactive_booking_confirmation = fields.Boolean(
        related="company_id.proactive_booking_confirmation", readonly=False
    )

    @api.depends("company_id")
    def _compute_proactive_rollout(self):
        Item = self.env["proactive.rollout.item"]
        phases = dict(Item._fields["phase"]._description_selection(self.env))
        for settings in self:
            status = Item._proactive_rollout_status(settings.company_id)
            done = sum(1 for entry in status if entry["done"])
            settings.proactive_rollout_done_count = done
            settings.proactive_rollout_item_count = len(status)
            settings.proactive_rollout_progress = 100.0 * done / len(status) if status else 0.0
            settings.proactive_rollout_checklist = self.env["ir.qweb"]._render(
                "lead_proactive.proactive_rollout_checklist",
                {
                    "phases": [
                        (label, [entry for entry in status if entry["phase"] == phase])
                        for phase, label in phases.items()
                    ],
                },
            )

    def action_proactive_open_rollout(self):
        """Open the company's checklist, where manual items are ticked."""
        self.ensure_one()
        self.env["proactive.rollout.item"]._proactive_sync_items(self.company_id)
        action = self.env["ir.actions.actions"]._for_xml_id(
            "lead_proactive.proactive_rollout_item_action"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action
