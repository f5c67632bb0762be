# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import hmac
import secrets

from odoo import api, fields, models

from ..tools.intake_adapters import ADAPTERS

ADAPTER_LABELS = {
    "thumbtack": "Thumbtack",
    "google_lsa": "Google Local Services",
    "angi": "Angi",
    "yelp": "Yelp",
    "generic": "Generic JSON",
}
# utm.source of each adapter's leads, unless the source sets another one.
ADAPTER_UTM_SOURCES = {
    "thumbtack": "lead_proactive.utm_source_thumbtack",
    "google_lsa": "lead_proactive.utm_source_google",
    "angi": "lead_proactive.utm_source_angi",
    "yelp": "lead_proactive.utm_source_yelp",
    "generic": "lead_proactive.utm_source_website",
}
# Platforms whose customers get their replies in the platform's own inbox.
PLATFORM_REPLY_ADAPTERS = ("thumbtack", "yelp")
# Yelp registers a bare URL: no header can carry the token.
URL_TOKEN_ADAPTERS = ("yelp",)


def hash_token(token):
    """Return the SHA-256 hex digest stored in place of a source's token.

    A token is 256 random bits, so an unsalted hash is enough to keep it
    out of database dumps."""
    return hashlib.sha256(token.encode()).hexdigest()


class ProactiveIntakeSource(models.Model):
    _name = "proactive.intake.source"
    _description = "Lead Source Webhook"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=False)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    adapter = fields.Selection(
        [(key, ADAPTER_LABELS[key]) for key in ADAPTERS],
        string="Format",
        required=True,
        default="generic",
        help="The JSON format the platform posts.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    # ------------------------------------------------------------
    # Authentication
    # ------------------------------------------------------------
    token_hash = fields.Char(
        string="Token Hash", copy=False, readonly=True, groups="base.group_system"
    )
    token_hint = fields.Char(
        string="Token",
        copy=False,
        readonly=True,
        help="The last characters of the token. The whole token is shown once, "
        "when it is generated.",
    )
    allow_url_token = fields.Boolean(
        string="Accept Token in URL",
        compute="_compute_allow_url_token",
        store=True,
        readonly=False,
        help="Also accept the token as the 'token' query parameter, for "
        "platforms that only let you register a URL (Yelp). Web server logs "
        "may record URLs: prefer a header where the platform allows one.",
    )
    endpoint_url = fields.Char(
        string="Webhook URL", compute="_compute_endpoint_url",
        help="The URL to paste into the platform, with HTTP POST.",
    )
    verified_date = fields.Datetime(
        string="URL Verified On",
        copy=False,
        readonly=True,
        help="When the platform last checked the webhook URL with a GET "
        "request (Yelp does so when the URL is registered).",
    )

    # ------------------------------------------------------------
    # Lead values
    # ------------------------------------------------------------
    utm_source_id = fields.Many2one(
        "utm.source",
        string="Source",
        compute="_compute_utm_source_id",
        store=True,
        readonly=False,
        ondelete="restrict",
    )
    utm_medium_id = fields.Many2one(
        "utm.medium",
        string="Medium",
        default=lambda self: self.env.ref("utm.utm_medium_website", raise_if_not_found=False),
        ondelete="restrict",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        help="Team of the leads of this source. Empty: Odoo's default team.",
    )
    time_zone = fields.Selection(
        "_tz_get",
        string="Time Zone",
        help="Time zone of local times in the payload (the Google Ads account's "
        "time zone) and of leads whose place is unknown.",
    )
    reply_channel = fields.Selection(
        [
            ("auto", "Email, else text, else assisted"),
            ("platform", "Assisted reply in the platform's inbox"),
        ],
        string="Instant Reply",
        compute="_compute_reply_channel",
        store=True,
        readonly=False,
        help="Email, else text, else assisted: email the lead when the platform "
        "gives an email address; text a lead that gives only a phone number "
        "when SMS is set up and the source's leads agreed to texts; else "
        "prepare an assisted reply. Platform inbox: a salesperson answers in "
        "the platform, with the script in an activity.",
    )
    sms_consent = fields.Boolean(
        string="Leads Agreed to Texts",
        help="The platform's terms include the person's consent to texts from "
        "the business. Only used with Proactive Leads: SMS installed.",
    )

    # ------------------------------------------------------------
    # Statistics
    # ------------------------------------------------------------
    event_ids = fields.One2many("proactive.intake.event", "source_id", readonly=True)
    lead_count = fields.Integer(
        compute="_compute_statistics",
        string="Leads",
        help="Leads created by this source's deliveries that still exist.",
    )
    event_count = fields.Integer(
        compute="_compute_statistics",
        string="Deliveries",
        help="Deliveries logged for this source, duplicates and rejections included.",
    )
    rejected_count = fields.Integer(compute="_compute_statistics", string="Rejected")
    last_received_date = fields.Datetime(
        compute="_compute_statistics", string="Last Received"
    )

    @api.model
    def _tz_get(self):
        return self.env["crm.lead"]._tz_get()

    @api.depends("adapter")
    def _compute_allow_url_token(self):
        for source in self:
            source.allow_url_token = source.adapter in URL_TOKEN_ADAPTERS

    def _compute_endpoint_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for source in self:
            source.endpoint_url = (
                "%s/lead_proactive/intake/%s" % (base_url.rstrip("/"), source.id)
                if source.id
                else False
            )

    @api.depends("adapter")
    def _compute_utm_source_id(self):
        for source in self:
            xmlid = ADAPTER_UTM_SOURCES.get(source.adapter)
            source.utm_source_id = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else False

    @api.depends("adapter")
    def _compute_reply_channel(self):
        for source in self:
            source.reply_channel = (
                "platform" if source.adapter in PLATFORM_REPLY_ADAPTERS else "auto"
            )

    def _compute_statistics(self):
        # Salespeople may read sources but not the delivery log behind them.
        Event = self.env["proactive.intake.event"].sudo()
        leads = dict(
            Event._read_group(
                [
                    ("source_id", "in", self.ids),
                    ("state", "=", "created"),
                    ("lead_id", "!=", False),
                ],
                ["source_id"],
                ["__count"],
            )
        )
        events = dict(
            Event._read_group([("source_id", "in", self.ids)], ["source_id"], ["__count"])
        )
        rejected = dict(
            Event._read_group(
                [("source_id", "in", self.ids), ("state", "in", ["rejected", "failed"])],
                ["source_id"],
                ["__count"],
            )
        )
        last = dict(
            Event._read_group(
                [("source_id", "in", self.ids)], ["source_id"], ["received_date:max"]
            )
        )
        for source in self:
            source.lead_count = leads.get(source, 0)
            source.event_count = events.get(source, 0)
            source.rejected_count = rejected.get(source, 0)
            source.last_received_date = last.get(source, False)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_generate_token(self):
        """Replace the source's token and show the new one once."""
        self.ensure_one()
        token = secrets.token_urlsafe(32)
        self.sudo().write({"token_hash": hash_token(token), "token_hint": "…" + token[-4:]})
        wizard = self.env["proactive.intake.token.wizard"].create(
            {"source_id": self.id, "token": token}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Token"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_leads(self):
        """Open the leads that this source's deliveries created, lost ones included."""
        self.ensure_one()
        keys = (
            self.env["proactive.intake.event"]
            .sudo()
            .search([("source_id", "=", self.id), ("state", "=", "created")])
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leads from %(platform)s", platform=self.name),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": [("id", "in", keys.lead_id.ids)],
            "context": {"create": False, "active_test": False},
        }

    def action_view_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_proactive.proactive_intake_event_action"
        )
        action["domain"] = [("source_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # Authentication
    # ------------------------------------------------------------
    def _check_token(self, token):
        """Return whether ``token`` is the source's token, in constant time."""
        self.ensure_one()
        stored = self.sudo().token_hash
        if not (token and stored):
            return False
        return hmac.compare_digest(hash_token(token), stored)
