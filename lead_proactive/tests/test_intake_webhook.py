# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lead-source webhook over real HTTP: authentication, rejected
requests, duplicates and the lead flow of a webhook lead."""

import base64
import copy
import json
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers import intake
from .common import ProactiveCase
from .test_intake_adapters import GENERIC_LEAD, YELP_WEBHOOK, load_sample

CONTROLLER_LOGGER = "odoo.addons.lead_proactive.controllers.intake"


@tagged("lead_proactive", "lead_proactive_intake", "post_install", "-at_install")
class TestIntakeWebhook(ProactiveCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Source = cls.env["proactive.intake.source"]
        cls.Event = cls.env["proactive.intake.event"]
        cls.generic = cls.Source.create(
            {"name": "Website form", "adapter": "generic", "team_id": cls.team.id}
        )
        cls.generic_token = cls._generate_token(cls.generic)
        cls.thumbtack = cls.Source.create(
            {"name": "Thumbtack", "adapter": "thumbtack", "team_id": cls.team.id}
        )
        cls.thumbtack_token = cls._generate_token(cls.thumbtack)

    @classmethod
    def _generate_token(cls, source):
        action = source.action_generate_token()
        return cls.env[action["res_model"]].browse(action["res_id"]).token

    def setUp(self):
        super().setUp()
        intake.REJECTION_LOG._last.clear()

    def post(self, source, body, token=None, headers=None, raw=None):
        all_headers = {"Content-Type": "application/json"}
        if token:
            all_headers["Authorization"] = "Bearer %s" % token
        all_headers.update(headers or {})
        data = raw if raw is not None else json.dumps(body)
        return self.url_open(
            "/lead_proactive/intake/%s" % source.id, data=data, headers=all_headers
        )

    def events(self, source, state=None):
        domain = [("source_id", "=", source.id)]
        if state:
            domain.append(("state", "=", state))
        return self.Event.search(domain)

    # ------------------------------------------------------------
    # Source
    # ------------------------------------------------------------
    def test_token_stored_as_hash(self):
        self.assertGreaterEqual(len(self.generic_token), 40)
        self.assertNotEqual(self.generic.sudo().token_hash, self.generic_token)
        self.assertTrue(self.generic._check_token(self.generic_token))
        self.assertFalse(self.generic._check_token(self.generic_token[:-1] + "x"))
        self.assertEqual(self.generic.token_hint, "…" + self.generic_token[-4:])
        self.assertTrue(self.generic.endpoint_url.endswith("/lead_proactive/intake/%s" % self.generic.id))
        self.assertEqual(self.thumbtack.reply_channel, "platform")
        self.assertEqual(self.thumbtack.utm_source_id, self.env.ref("lead_proactive.utm_source_thumbtack"))

    def test_regenerated_token_replaces_old(self):
        old = self._generate_token(self.generic)
        new = self._generate_token(self.generic)
        self.assertNotEqual(old, new)
        with mute_logger(CONTROLLER_LOGGER):
            response = self.post(self.generic, GENERIC_LEAD, token=old)
        self.assertEqual(response.status_code, 403)

    # ------------------------------------------------------------
    # Rejected requests
    # ------------------------------------------------------------
    @mute_logger(CONTROLLER_LOGGER)
    def test_missing_token_401(self):
        response = self.post(self.generic, GENERIC_LEAD)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["field"], None)
        self.assertIn("Bearer", response.headers["WWW-Authenticate"])
        self.assertFalse(self.events(self.generic), "unauthenticated requests store nothing")

    @mute_logger(CONTROLLER_LOGGER)
    def test_wrong_token_403(self):
        response = self.post(self.generic, GENERIC_LEAD, token="not-the-token")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "Invalid token.")
        # Another source's token does not open this one.
        response = self.post(self.generic, GENERIC_LEAD, token=self.thumbtack_token)
        self.assertEqual(response.status_code, 403)
        response = self.url_open(
            "/lead_proactive/intake/999999",
            data=json.dumps(GENERIC_LEAD),
            headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        )
        self.assertEqual(response.status_code, 403, "unknown sources look like a wrong token")
        self.assertFalse(self.find_lead(GENERIC_LEAD["email"]))

    @mute_logger(CONTROLLER_LOGGER)
    def test_archived_source_403(self):
        self.generic.active = False
        response = self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
        self.assertEqual(response.status_code, 403)

    def test_rejection_log_is_rate_limited(self):
        with self.assertLogs(CONTROLLER_LOGGER, level="WARNING") as logs:
            for _attempt in range(3):
                self.post(self.generic, GENERIC_LEAD, token="wrong")
        self.assertEqual(len(logs.records), 1)
        self.assertNotIn("wrong", logs.output[0], "the presented token is never logged")

    @mute_logger(CONTROLLER_LOGGER)
    def test_bad_json_400(self):
        response = self.post(self.generic, None, token=self.generic_token, raw='{"name": ')
        self.assertEqual(response.status_code, 400)
        self.assertIn("Invalid JSON", response.json()["error"])
        rejected = self.events(self.generic, "rejected")
        self.assertEqual(len(rejected), 1)
        self.assertEqual(rejected.payload, '{"name": ')

    @mute_logger(CONTROLLER_LOGGER)
    def test_invalid_field_400_names_field(self):
        body = dict(GENERIC_LEAD, email="not-an-email")
        response = self.post(self.generic, body, token=self.generic_token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["field"], "email")
        self.assertIn("invalid email address", response.json()["error"])
        self.assertFalse(self.Event.search([("source_id", "=", self.generic.id), ("state", "=", "created")]))
        self.assertEqual(self.events(self.generic, "rejected").error_field, "email")

    @mute_logger(CONTROLLER_LOGGER)
    def test_thumbtack_nested_field_400(self):
        body = copy.deepcopy(load_sample("SD-02")["body"])
        body["customer"]["phone"] = {"number": "+16175550164"}
        response = self.post(self.thumbtack, body, token=self.thumbtack_token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["field"], "customer.phone")

    @mute_logger(CONTROLLER_LOGGER)
    def test_deeply_nested_json_400(self):
        raw = "[" * 100000 + "]" * 100000
        response = self.post(self.generic, None, token=self.generic_token, raw=raw)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Invalid JSON", response.json()["error"])

    @mute_logger(CONTROLLER_LOGGER)
    def test_wrong_content_type_415(self):
        response = self.post(
            self.generic, GENERIC_LEAD, token=self.generic_token,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual(response.status_code, 415)

    @mute_logger(CONTROLLER_LOGGER)
    def test_oversize_413(self):
        body = dict(GENERIC_LEAD, message="x" * (intake.MAX_REQUEST_BYTES + 10))
        response = self.post(self.generic, body, token=self.generic_token)
        self.assertEqual(response.status_code, 413)
        self.assertIn("larger than", response.json()["error"])
        self.assertFalse(self.events(self.generic))

    # ------------------------------------------------------------
    # Accepted requests
    # ------------------------------------------------------------
    def test_duplicate_returns_same_lead(self):
        with self.mock_mail_gateway():
            first = self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
            second = self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(first.json()["status"], "created")
        self.assertEqual(second.json()["status"], "duplicate")
        self.assertEqual(first.json()["lead_id"], second.json()["lead_id"])
        lead = self.find_lead(GENERIC_LEAD["email"])
        self.assertEqual(len(lead), 1)
        key = self.events(self.generic, "created")
        self.assertEqual(key.delivery_count, 2)
        self.assertEqual(len(self.events(self.generic, "duplicate")), 1)
        self.assertEqual(len(self.outgoing_mails_to(GENERIC_LEAD["email"])), 1)

    def test_new_message_appends_to_lead(self):
        with self.mock_mail_gateway():
            first = self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
            body = dict(GENERIC_LEAD, message="Also we have a piano, budget $900")
            second = self.post(self.generic, body, token=self.generic_token)
        self.assertEqual(second.json()["status"], "appended")
        lead = self.env["crm.lead"].browse(first.json()["lead_id"])
        self.assertEqual(second.json()["lead_id"], lead.id)
        inbound = lead.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(inbound), 2)
        self.assertEqual(lead.proactive_budget, 900)
        self.assertEqual(
            len(lead.proactive_touch_ids.filtered(lambda t: t.step == 0)), 1,
            "one instant reply per lead",
        )

    def test_token_in_other_places(self):
        basic = base64.b64encode(b"thumbtack:%s" % self.generic_token.encode()).decode()
        places = [
            {"Authorization": "Basic %s" % basic},
            {"X-Proactive-Token": self.generic_token},
            {"X-Api-Key": self.generic_token},
        ]
        for index, headers in enumerate(places):
            with self.subTest(headers=list(headers)):
                body = dict(GENERIC_LEAD, external_id="place-%s" % index)
                response = self.post(self.generic, body, headers=headers)
                self.assertEqual(response.status_code, 200, response.text)

    @mute_logger(CONTROLLER_LOGGER)
    def test_url_token_only_when_allowed(self):
        url = "/lead_proactive/intake/%s?token=%s" % (self.generic.id, self.generic_token)
        headers = {"Content-Type": "application/json"}
        response = self.url_open(url, data=json.dumps(GENERIC_LEAD), headers=headers)
        self.assertEqual(response.status_code, 403)
        self.assertIn("Accept Token in URL", response.json()["error"])
        self.generic.allow_url_token = True
        response = self.url_open(url, data=json.dumps(GENERIC_LEAD), headers=headers)
        self.assertEqual(response.status_code, 200)

    @mute_logger(CONTROLLER_LOGGER)
    def test_token_as_last_path_segment(self):
        url = "/lead_proactive/intake/%s/%s" % (self.generic.id, self.generic_token)
        headers = {"Content-Type": "application/json"}
        response = self.url_open(url, data=json.dumps(GENERIC_LEAD), headers=headers)
        self.assertEqual(response.status_code, 403)
        rejected = response.json()
        # An unknown source, and one that takes its token in a header, get
        # the same response.
        for source_id in (self.generic.id + 1000, self.thumbtack.id):
            other = "/lead_proactive/intake/%s/%s" % (source_id, self.generic_token)
            response = self.url_open(other, data=json.dumps(GENERIC_LEAD), headers=headers)
            self.assertEqual((response.status_code, response.json()), (403, rejected))
        self.generic.allow_url_token = True
        response = self.url_open(url, data=json.dumps(GENERIC_LEAD), headers=headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "created")
        wrong = "/lead_proactive/intake/%s/%s" % (self.generic.id, "x" * 43)
        response = self.url_open(wrong, data=json.dumps(GENERIC_LEAD), headers=headers)
        self.assertEqual(response.status_code, 403)

    # ------------------------------------------------------------
    # URL verification (GET)
    # ------------------------------------------------------------
    @mute_logger(CONTROLLER_LOGGER)
    def test_yelp_url_verification(self):
        source = self.Source.create({"name": "Yelp", "adapter": "yelp", "team_id": self.team.id})
        token = self._generate_token(source)
        wizard_url = source.endpoint_url + "/" + token
        base = "/lead_proactive/intake/%s" % source.id
        self.assertTrue(wizard_url.endswith(base + "/" + token))
        for url in (
            "%s/%s?verification=Abc123xyz" % (base, token),
            "%s?token=%s&verification=Abc123xyz" % (base, token),
        ):
            with self.subTest(url=url.replace(token, "<token>")):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/json")
                self.assertEqual(response.json(), {"verification": "Abc123xyz"})
        self.assertTrue(source.verified_date)

        # Without the token, or with a wrong one, nothing is echoed.
        response = self.url_open("%s?verification=Abc123xyz" % base)
        self.assertEqual(response.status_code, 401)
        self.assertNotIn("Abc123xyz", response.text)
        response = self.url_open("%s/%s?verification=Abc123xyz" % (base, "y" * 43))
        self.assertEqual(response.status_code, 403)

        # A GET that is not a verification, and a value that is not one.
        response = self.url_open("%s/%s" % (base, token))
        self.assertEqual(response.status_code, 405)
        self.assertIn("POST", response.headers["Allow"])
        response = self.url_open("%s/%s?verification=%s" % (base, token, "<script>"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["field"], "verification")
        response = self.url_open("%s/%s?verification=%s" % (base, token, "a" * 257))
        self.assertEqual(response.status_code, 400)

        # A verification stores no lead and no delivery.
        self.assertFalse(self.events(source))

    def test_url_verification_with_header_token(self):
        response = self.url_open(
            "/lead_proactive/intake/%s?verification=ok" % self.generic.id,
            headers={"Authorization": "Bearer %s" % self.generic_token},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"verification": "ok"})

    # ------------------------------------------------------------
    # Lead flow
    # ------------------------------------------------------------
    def test_generic_lead_gets_instant_reply_and_qualification(self):
        with self.mock_mail_gateway():
            response = self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
        self.assertEqual(response.status_code, 200, response.text)
        lead = self.env["crm.lead"].browse(response.json()["lead_id"])
        self.assertEqual(lead.email_from, GENERIC_LEAD["email"])
        self.assertEqual(lead.contact_name, "Alex Kim")
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.proactive_channel, "email")
        self.assertEqual(lead.proactive_external_ref, "form-42")
        self.assertEqual(lead.source_id, self.env.ref("lead_proactive.utm_source_website"))
        self.assertEqual(lead.proactive_zip, "78701")
        self.assertEqual(lead.proactive_timeline, "this_week")
        self.assertTrue(lead.proactive_last_inbound_date)

        inbound = lead.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(inbound), 1)
        self.assertIn("Need 2 movers", inbound.body)
        self.assertFalse(inbound.author_id.filtered(lambda p: not p.partner_share))

        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 0)
        self.assertEqual(touch.state, "sent", touch.skip_reason)
        self.assertEqual(touch.channel, "email")
        self.assertEqual(len(self.outgoing_mails_to(GENERIC_LEAD["email"])), 1)
        self.assertTrue(lead.proactive_first_response_date)

    def test_thumbtack_sample_lead(self):
        body = load_sample("SD-02")["body"]
        response = self.post(self.thumbtack, body, token=self.thumbtack_token)
        self.assertEqual(response.status_code, 200, response.text)
        lead = self.env["crm.lead"].browse(response.json()["lead_id"])
        self.assertEqual(str(lead.proactive_arrival_date), "2025-06-13 22:20:56")
        self.assertEqual(lead.proactive_tz, "America/New_York")
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertEqual(lead.proactive_city, "Cambridge")
        self.assertEqual(lead.state_id.code, "MA")
        self.assertEqual(lead.phone, "+16175550164")
        self.assertEqual(lead.proactive_need, "Local Moving (under 50 miles)")
        # Jun 14 is the day after the lead was created, in Boston.
        self.assertEqual(lead.proactive_timeline, "this_week")
        self.assertEqual(str(lead.proactive_timeline_date), "2025-06-14")
        self.assertFalse(lead.proactive_budget, "the quoted price is not a budget")
        self.assertIn("$95/hour", lead.description)
        self.assertIn("Stairs: 3rd floor, no elevator", lead.description)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        # Thumbtack leads get their reply in Thumbtack's inbox.
        self.assertEqual(lead.proactive_channel, "marketplace_chat")
        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 0)
        self.assertEqual(touch.channel, "assisted")
        self.assertEqual(touch.state, "sent")
        self.assertTrue(touch.activity_id)
        # A service request, not the marketplace's "is it still available".
        self.assertEqual(
            touch.mail_template_id, self.env.ref("lead_proactive.mail_template_assisted_reply_platform")
        )
        self.assertEqual(touch.activity_id.summary, "Reply to the lead on Thumbtack now")
        self.assertNotIn("available", touch.activity_id.note)

    def test_google_lsa_batch(self):
        source = self.Source.create({"name": "Google LSA", "adapter": "google_lsa"})
        token = self._generate_token(source)
        sample = load_sample("SD-04")
        response = self.post(source, sample, token=token)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        leads = self.env["crm.lead"].browse([r["lead_id"] for r in results])
        self.assertEqual(
            [str(d) for d in leads.mapped("proactive_arrival_date")],
            ["2025-06-15 04:05:00", "2025-06-15 04:07:30"],
        )
        self.assertEqual(leads[0].contact_name, "Sam K.")
        self.assertEqual(leads[0].source_id, self.env.ref("lead_proactive.utm_source_google"))
        # Phone-only without SMS: a salesperson calls, with the script.
        self.assertEqual(leads.mapped("proactive_channel"), ["phone", "phone"])
        for lead in leads:
            touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 0)
            self.assertEqual((touch.channel, touch.state), ("assisted", "sent"))
            self.assertEqual(touch.activity_id.summary, "Call the lead now: %s" % lead.phone)
            self.assertIn("Call the lead, or text them", touch.activity_id.note)
            # A call script and a call activity, not the marketplace's chat reply.
            self.assertEqual(
                touch.mail_template_id, self.env.ref("lead_proactive.mail_template_call_script")
            )
            self.assertEqual(
                touch.activity_id.activity_type_id,
                self.env.ref("lead_proactive.mail_activity_type_assisted_call"),
            )
            self.assertNotIn("available", touch.activity_id.note)
            self.assertIn("calling about your request", touch.activity_id.note)
        # Calling back is the first response.
        self.assertFalse(leads[0].proactive_first_response_date)
        leads[0].proactive_touch_ids.filtered(lambda t: t.step == 0).activity_id.action_done()
        self.assertTrue(leads[0].proactive_first_response_date)
        # No email address to follow up: the sequence returns the reason.
        self.assertEqual(
            leads[0]._proactive_followup_reach_reason("email"),
            "the lead can only be reached by phone",
        )
        # The batch again changes nothing.
        again = self.post(source, sample, token=token)
        self.assertEqual([r["status"] for r in again.json()["results"]], ["duplicate", "duplicate"])

    @mute_logger(CONTROLLER_LOGGER)
    def test_google_lsa_batch_with_a_failing_lead(self):
        source = self.Source.create({"name": "Google LSA", "adapter": "google_lsa"})
        token = self._generate_token(source)
        sample = load_sample("SD-04")
        Lead = type(self.env["crm.lead"])
        create_lead = Lead._proactive_intake_create_lead

        def fail_first(lead_model, source, data):
            if data.lead_id == "111":
                raise ValueError("no stage for this lead")
            return create_lead(lead_model, source, data)

        with patch.object(Lead, "_proactive_intake_create_lead", fail_first):
            response = self.post(source, sample, token=token)
        # The second lead is stored although the first one failed.
        self.assertEqual(response.status_code, 500, response.text)
        body = response.json()
        self.assertIn("Retry later", body["error"])
        self.assertEqual(
            [(r["status"], r["external_id"]) for r in body["results"]],
            [("failed", "111"), ("created", "112")],
        )
        failed = self.events(source, "failed")
        self.assertEqual(failed.external_id, "111")
        self.assertIn("no stage for this lead", failed.error)
        self.assertIn('"111"', failed.payload)
        # The platform's retry stores the failed lead and skips the other.
        again = self.post(source, sample, token=token)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(
            [r["status"] for r in again.json()["results"]], ["created", "duplicate"]
        )

    def test_yelp_events_on_one_lead(self):
        source = self.Source.create({"name": "Yelp", "adapter": "yelp", "team_id": self.team.id})
        token = self._generate_token(source)
        url = "/lead_proactive/intake/%s?token=%s" % (source.id, token)
        headers = {"Content-Type": "application/json"}
        first = self.url_open(url, data=json.dumps(YELP_WEBHOOK), headers=headers)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(first.json()["status"], "created")
        lead = self.env["crm.lead"].browse(first.json()["lead_id"])
        self.assertEqual(lead.proactive_channel, "marketplace_chat")
        self.assertEqual(lead.source_id, self.env.ref("lead_proactive.utm_source_yelp"))
        self.assertEqual(str(lead.proactive_arrival_date), "2022-06-09 09:41:13")
        self.assertTrue(lead.proactive_touch_ids.filtered(lambda t: t.step == 0).activity_id)

        again = self.url_open(url, data=json.dumps(YELP_WEBHOOK), headers=headers)
        self.assertEqual(again.json()["status"], "duplicate")
        later = copy.deepcopy(YELP_WEBHOOK)
        later["data"]["updates"][0]["event_id"] = "SecondEventId0000000000"
        response = self.url_open(url, data=json.dumps(later), headers=headers)
        self.assertEqual(response.json()["status"], "appended")
        self.assertEqual(response.json()["lead_id"], lead.id)
        # An event without text is a note: it is not read as the lead replying.
        inbound = lead.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertFalse(inbound, "the webhook carries no text of the person")
        summary = lead.message_ids.filtered(lambda m: m.proactive_intake_kind == "summary")
        self.assertEqual(len(summary), 1)
        self.assertFalse(lead.proactive_replied)
        self.assertIn("new activity", lead.message_ids[0].body)

    def test_salesman_reads_source_counters(self):
        with self.mock_mail_gateway():
            self.post(self.generic, GENERIC_LEAD, token=self.generic_token)
        source = self.generic.with_user(self.user_salesman)
        self.assertEqual(source.lead_count, 1)
        self.assertTrue(source.last_received_date)
        self.assertFalse(source.token_hint is False)
