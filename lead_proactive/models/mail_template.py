# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.fields import Domain

SCRIPT_USAGES = [
    ("instant_reply", "Instant Reply"),
    ("assisted_reply", "Assisted Reply"),
    ("call_script", "Call Script"),
]


class MailTemplate(models.Model):
    _inherit = "mail.template"

    proactive_usage = fields.Selection(
        SCRIPT_USAGES,
        string="Lead Script",
        help="When the lead automation uses this template. An instant reply is "
        "emailed to the lead; an assisted reply is put in an activity for a "
        "salesperson to paste into a channel that email cannot reach, such as "
        "a marketplace chat. A call script is put in an activity for a "
        "salesperson to call a lead who left only a phone number.",
    )
    proactive_source_ids = fields.Many2many(
        "utm.source",
        string="Lead Sources",
        help="Use this script only for leads from these sources. Leave empty to "
        "use it for any source that has no script of its own.",
    )

    def _proactive_select(self, usage, source):
        return select_script(self, usage, source)


def select_script(templates, usage, source):
    """Return the lead script of ``templates``' model (mail or SMS templates)
    for ``usage`` that fits ``source`` best.

    A script listing the lead's source wins over a generic one (no
    sources). Among equals the lowest id wins, so the choice is stable.
    """
    scripts = templates.search(
        Domain("proactive_usage", "=", usage) & Domain("model", "=", "crm.lead"),
        order="id",
    )
    if source:
        specific = scripts.filtered(lambda t: source in t.proactive_source_ids)
        if specific:
            return specific[0]
    generic = scripts.filtered(lambda t: not t.proactive_source_ids)
    return generic[:1]
