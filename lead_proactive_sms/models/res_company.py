# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sending_hours


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------
    # Sending hours
    # ------------------------------------------------------------
    proactive_sms_hour_start = fields.Float(
        string="Texts From",
        default=8.0,
        help="Automated texts go out from this hour, in the recipient's local time.",
    )
    proactive_sms_hour_end = fields.Float(
        string="Texts Until",
        default=21.0,
        help="Automated texts stop at this hour, in the recipient's local time. "
        "A text due later waits for the next morning.",
    )
    proactive_sms_state_rules = fields.Boolean(
        string="Stricter State Hours",
        default=True,
        help="Also apply the shorter hours of Florida, Oklahoma and Maryland "
        "(8:00-20:00) and Texas (9:00-21:00, from noon on Sunday) to numbers "
        "and ZIP codes in those states.",
    )
    proactive_sms_reply_anytime = fields.Boolean(
        string="Answer Texts at Any Hour",
        default=True,
        help="The instant reply to a text the lead just sent goes out at once, "
        "even outside the sending hours. Follow-ups always wait.",
    )

    # ------------------------------------------------------------
    # Keywords
    # ------------------------------------------------------------
    proactive_sms_keyword_replies = fields.Boolean(
        string="Send Our Own Opt-out, Opt-in and Help Replies",
        default=False,
        help="Text the STOP, START and HELP replies below. Off by default "
        "because Twilio's default opt-out handling already answers these "
        "keywords on long-code numbers, so a reply from us would reach the "
        "lead as a second text (and Twilio rejects texts to a number that sent "
        "STOP). Turn this on only after "
        "switching Twilio's own replies off (Advanced Opt-Out in the "
        "Messaging Service). The number is blacklisted or removed from the "
        "blacklist whatever this says.",
    )
    proactive_sms_help_text = fields.Char(
        string="HELP Reply",
        default="Reply with your question and we will get back to you. "
        "Reply STOP to opt out. Msg & data rates may apply.",
        help="Sent to a number that texts HELP or INFO, after the company name.",
    )
    proactive_sms_opt_out_text = fields.Char(
        string="STOP Reply",
        default="You are unsubscribed and will get no more texts from us. "
        "Reply START to resubscribe.",
        help="Sent once to a number that texts STOP or a similar keyword, after "
        "the company name.",
    )
    proactive_sms_opt_in_text = fields.Char(
        string="START Reply",
        default="You are subscribed again. Reply STOP to opt out, HELP for help.",
        help="Sent to an opted-out number that texts START, UNSTOP or YES, after "
        "the company name.",
    )
    proactive_sms_opt_out_keywords = fields.Char(
        string="More Opt-out Keywords",
        default="ALTO, PARA, BAJA, CANCELAR",
        help="Comma-separated words that opt a number out when a text consists "
        "of nothing else, besides STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, "
        "QUIT, REVOKE and OPT OUT.",
    )

    # ------------------------------------------------------------
    # Inbound
    # ------------------------------------------------------------
    proactive_sms_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team for SMS Leads",
        help="Team of the leads created from texts by unknown numbers. Empty: "
        "the CRM's default team.",
    )
    proactive_sms_part_window = fields.Integer(
        string="Wait for Split Texts (s)",
        default=10,
        help="A text that fills a whole SMS is probably the first part of a "
        "longer message that the carrier split. The automation waits this many "
        "seconds for the next parts and reads them as one message. 0 turns "
        "the wait off.",
    )
    proactive_sms_reply_cooldown = fields.Integer(
        string="Auto-reply Cooldown (s)",
        default=60,
        help="At most one instant reply and one HELP reply per number within "
        "this many seconds, whatever the number of texts it sends.",
    )

    @api.constrains("proactive_sms_hour_start", "proactive_sms_hour_end")
    def _check_proactive_sms_hours(self):
        for company in self:
            try:
                company._proactive_sms_window()
            except ValueError as error:
                raise ValidationError(str(error)) from error

    @api.constrains("proactive_sms_part_window", "proactive_sms_reply_cooldown")
    def _check_proactive_sms_delays(self):
        for company in self:
            if (
                company.proactive_sms_part_window < 0
                or company.proactive_sms_reply_cooldown < 0
            ):
                raise ValidationError(
                    self.env._("The SMS waiting times cannot be negative.")
                )

    def _proactive_sms_window(self):
        """Return the company's daily sending window for automated texts."""
        self.ensure_one()
        return sending_hours.hours_window(
            self.proactive_sms_hour_start, self.proactive_sms_hour_end
        )

    def _proactive_sms_extra_opt_out_words(self):
        self.ensure_one()
        words = (self.proactive_sms_opt_out_keywords or "").split(",")
        return [word.strip() for word in words if word.strip()]
