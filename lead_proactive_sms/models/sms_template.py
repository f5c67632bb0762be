# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from odoo import api, fields, models

from odoo.addons.lead_proactive.models.mail_template import select_script

from ..tools import sms_segments

_logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"{{.*?}}", re.DOTALL)

SMS_SCRIPT_USAGES = [
    ("instant_reply", "Instant Reply"),
    ("followup", "Follow-up"),
    ("confirmation", "Confirmation"),
]


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    proactive_usage = fields.Selection(
        SMS_SCRIPT_USAGES,
        string="Lead Script",
        help="When the lead automation texts this template: the instant reply "
        "to a lead that texted us, a follow-up touch, or a confirmation.",
    )
    proactive_source_ids = fields.Many2many(
        "utm.source",
        string="Lead Sources",
        help="Use this script only for leads from these sources. Leave empty to "
        "use it for any source that has no script of its own.",
    )
    proactive_segment_count = fields.Integer(
        string="SMS Segments",
        compute="_compute_proactive_segments",
        help="Billed SMS per recipient for the text as sent to the newest "
        "record (lead), or for the text without its placeholders when there is "
        "none. Placeholders such as a first name change the length.",
    )
    proactive_encoding = fields.Selection(
        [("gsm7", "GSM-7"), ("ucs2", "UCS-2")],
        string="Encoding",
        compute="_compute_proactive_segments",
        help="GSM-7 fits 160 characters in one SMS (153 per segment when "
        "longer); UCS-2 fits only 70 (67 per segment).",
    )
    proactive_ucs2_chars = fields.Char(
        string="Characters Forcing UCS-2",
        compute="_compute_proactive_segments",
        help="Characters outside the GSM-7 alphabet, such as curly quotes or "
        "emoji. Replacing them brings the text back to GSM-7.",
    )
    proactive_length = fields.Integer(
        string="SMS Length",
        compute="_compute_proactive_segments",
        help="Length as the phone network counts it: GSM-7 characters of the "
        "extension table (such as [ ] { } and the euro sign) count twice, and "
        "so do UCS-2 emoji.",
    )

    @api.depends("body", "model")
    def _compute_proactive_segments(self):
        for template in self:
            info = sms_segments.analyze(template._proactive_sample_text())
            template.proactive_segment_count = info.segments
            template.proactive_encoding = (
                "ucs2" if info.encoding == sms_segments.UCS2 else "gsm7"
            )
            template.proactive_ucs2_chars = " ".join(info.ucs2_chars) or False
            template.proactive_length = info.length

    def _proactive_sample_text(self):
        """Return the body as sent to the newest record of its model, or the
        body without placeholders when it cannot be rendered."""
        self.ensure_one()
        body = self.body or ""
        if "{{" not in body:
            return body
        if self.model in self.env:
            sample = self.env[self.model].sudo().search([], order="id desc", limit=1)
            if sample:
                try:
                    return self._render_template(body, self.model, sample.ids)[
                        sample.id
                    ]
                except Exception:  # noqa: BLE001 - a template being typed may not render
                    _logger.debug(
                        "SMS template %s does not render yet", self.id, exc_info=True
                    )
        return PLACEHOLDER.sub("", body)

    def _proactive_select(self, usage, source):
        """Return the SMS script for ``usage`` that fits ``source`` best."""
        return select_script(self, usage, source)
