# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        result = super().write(vals)
        if "tz" in vals:
            companies = self.env["res.company"].sudo().search([("partner_id", "in", self.ids)])
            companies._proactive_kpi_update_lead_weeks()
        return result
