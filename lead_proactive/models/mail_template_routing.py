# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    # Options: the next-step script a medium-intent lead gets once, offering
    # two concrete choices and asking which one works better.
    proactive_usage = fields.Selection(
        selection_add=[("options", "Options (medium intent)")],
        ondelete={"options": "set null"},
    )
