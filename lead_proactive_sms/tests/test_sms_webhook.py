# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Twilio webhook over real HTTP: signed requests, duplicates, rejected
requests and the public URL behind a proxy."""

import threading
from unittest.mock import patch

import requests

from odoo.tests import tagged
from odoo.tools import config, mute_logger

from ..controllers import twilio_inbound
from ..tools import twilio_signature
from .common import (
    AUTH_TOKEN,
    LEAD_NUMBER,
    WEBHOOK,
    ProactiveSmsCase,
    load_sample,
    sid,
)

CONTROLLER_LOGGER = "odoo.addons.lead_proactive_sms.controllers.twilio_inbound"
FIRST_TEXT = "Hi need a quote for 1BR move in 02139 tmrw. Can I pay today?"


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsWebhook(ProactiveSmsCase):
    def setUp(self):
        super().setUp()
        # Each test starts with no rejection warning already given.
        twilio_inbound.REJECTED_WARNING._last.clear()

    def stored(self, message_sid):
        return self.Inbound.sudo().search([("message_sid", "=", message_sid)])

    def test_signed_text_creates_qualified_lead_with_sms_reply(self):
        with self.mockSMSGateway():
            response = self.post_webhook(self.twilio_form(FIRST_TEXT, sid(1)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("<Response></Response>", response.text)
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "text/xml")

        lead = self.leads_of()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.proactive_channel, "sms")
        self.assertEqual(
            lead.medium_id, self.env.ref("lead_proactive_sms.utm_medium_sms")
        )
        self.assertEqual(lead.team_id, self.team)
        self.assertTrue(lead.proactive_sms_consent)
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertTrue(lead.proactive_timeline)
        self.assertEqual(lead.stage_id, self.stage_qualified)

        texts = self.inbound_texts(lead)
        self.assertEqual(len(texts), 1)
        self.assertFalse(texts.author_id)
        self.assertEqual(texts.email_from, LEAD_NUMBER)
        self.assertIn("02139 tmrw", texts.body)

        inbound = self.stored(sid(1))
        self.assertEqual(inbound.state, "done")
        self.assertEqual(inbound.lead_id, lead)
        self.assertEqual(inbound.message_id, texts)

        touch = lead.proactive_touch_ids
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.channel, "sms")
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.sms_template_id, self.template_instant)
        self.assertTrue(lead.proactive_first_response_date)
        self.assertEqual(len(self.texts_to()), 1)
        self.assertSMS(
            self.env["res.partner"],
            LEAD_NUMBER,
            "pending",
            content="thanks for texting",
        )
        self.assertIn("Reply STOP to opt out", self.texts_to()[0]["body"])

    def test_duplicate_sid_sequential(self):
        form = self.twilio_form(FIRST_TEXT, sid(11))
        with self.mockSMSGateway():
            statuses = [self.post_webhook(form).status_code for _attempt in range(3)]
        self.assertEqual(statuses, [200, 200, 200])
        self.assertEqual(len(self.stored(sid(11))), 1)
        lead = self.leads_of()
        self.assertEqual(len(lead), 1)
        self.assertEqual(len(self.inbound_texts(lead)), 1)
        self.assertEqual(len(self.texts_to()), 1, "one instant reply")

    def test_duplicate_sid_concurrent_threads(self):
        # NOTE: HttpCase serves every request on the test transaction, one at
        # a time, so these two requests overlap in time but not in the
        # database; TestInboundConcurrency checks the insert with two real
        # transactions.
        form = self.twilio_form(FIRST_TEXT, sid(12))
        url = self.base_url() + WEBHOOK
        headers = {
            "X-Twilio-Signature": twilio_signature.compute_signature(
                AUTH_TOKEN, url, list(form.items())
            )
        }
        statuses = []

        def post():
            # Session.request itself: the test's opener may only be used from
            # the test thread, which lets requests in around the threads.
            response = requests.Session.request(
                self.opener, "POST", url, data=form, headers=headers, timeout=30
            )
            statuses.append(response.status_code)

        self.env.flush_all()
        with self.mockSMSGateway(), self.allow_requests():
            threads = [threading.Thread(target=post) for _index in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.env.invalidate_all()
        self.assertEqual(statuses, [200, 200])
        self.assertEqual(len(self.stored(sid(12))), 1)
        lead = self.leads_of()
        self.assertEqual(len(lead), 1)
        self.assertEqual(len(self.inbound_texts(lead)), 1)
        self.assertEqual(len(self.texts_to()), 1)

    def test_same_text_new_sid_no_second_reply(self):
        with self.mockSMSGateway():
            self.assertEqual(
                self.post_webhook(self.twilio_form(FIRST_TEXT, sid(21))).status_code,
                200,
            )
            self.assertEqual(
                self.post_webhook(self.twilio_form(FIRST_TEXT, sid(22))).status_code,
                200,
            )
        lead = self.leads_of()
        self.assertEqual(len(lead), 1)
        self.assertEqual(len(self.inbound_texts(lead)), 2, "the second text is logged")
        self.assertEqual(len(self.texts_to()), 1, "but not answered again")

    def test_duplicate_sample_requests(self):
        sample = load_sample("BH-13")
        expected = sample["assertions"]
        with self.mockSMSGateway():
            statuses = [
                self.post_webhook(request["form"], path=request["path"]).status_code
                for request in sample["requests"]
            ]
        self.assertEqual(statuses, [expected["http_status_all"]] * len(statuses))
        number = sample["requests"][0]["form"]["From"]
        lead = self.leads_of(number)
        self.assertEqual(len(lead), expected["crm.lead_created"])
        logged = len(self.inbound_texts(lead))
        self.assertGreaterEqual(logged, expected["inbound_messages_logged_min"])
        self.assertLessEqual(logged, expected["inbound_messages_logged_max"])
        self.assertEqual(len(self.texts_to(number)), expected["auto_reply_sms_sent"])

    @mute_logger(CONTROLLER_LOGGER)
    def test_bad_signature_rejected(self):
        form = self.twilio_form("STOP", sid(31))
        cases = [
            ("wrong token", {"token": "not-the-token"}),
            ("no signature", {"token": None}),
            (
                "signed for another URL",
                {"signed_url": "https://elsewhere.example.com" + WEBHOOK},
            ),
        ]
        with self.mockSMSGateway():
            for name, options in cases:
                with self.subTest(name):
                    response = self.post_webhook(form, **options)
                    self.assertEqual(response.status_code, 403)
            with self.subTest("tampered body"):
                signature = twilio_signature.compute_signature(
                    AUTH_TOKEN, self.base_url() + WEBHOOK, list(form.items())
                )
                response = self.url_open(
                    WEBHOOK,
                    data=list(dict(form, Body="Hi, quote please").items()),
                    headers={"X-Twilio-Signature": signature},
                )
                self.assertEqual(response.status_code, 403)
        self.assertFalse(self.stored(sid(31)))
        self.assertFalse(self.leads_of())
        self.assertFalse(
            self.env["phone.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("number", "=", LEAD_NUMBER)])
        )
        self.assertEqual(self._sms, [])

    def test_bad_signature_warning_rate_limited(self):
        form = self.twilio_form("hello", sid(32))
        with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
            for _attempt in range(3):
                self.assertEqual(
                    self.post_webhook(form, token="wrong").status_code, 403
                )
        self.assertEqual(len(logs.records), 1, "one warning per minute and address")
        self.assertIn("X-Forwarded-Proto", logs.output[0])
        self.assertNotIn("wrong", logs.output[0], "the token is never logged")

    @mute_logger(CONTROLLER_LOGGER)
    def test_missing_and_invalid_fields(self):
        cases = [
            ("no From", {"From": None}, "From"),
            ("no MessageSid", {"MessageSid": None}, "MessageSid"),
            ("no To", {"To": None}, "To"),
            ("no Body", {"Body": None}, "Body"),
            (
                "invalid MessageSid",
                {"MessageSid": "SM'; DROP TABLE"},
                "Invalid MessageSid",
            ),
            ("invalid NumMedia", {"NumMedia": "many"}, "Invalid NumMedia"),
        ]
        for name, changes, expected in cases:
            with self.subTest(name):
                form = self.twilio_form("Need a quote", sid(41))
                for key, value in changes.items():
                    if value is None:
                        form.pop(key)
                    else:
                        form[key] = value
                response = self.post_webhook(form)
                self.assertEqual(response.status_code, 400)
                self.assertIn(expected, response.text)
        self.assertFalse(self.Inbound.sudo().search([]))
        self.assertFalse(self.leads_of())

    @mute_logger(CONTROLLER_LOGGER)
    def test_oversized_requests(self):
        long_body = self.twilio_form("a" * 1601, sid(51))
        response = self.post_webhook(long_body)
        self.assertEqual(response.status_code, 413)
        self.assertIn("1600", response.text)

        huge = self.twilio_form("hello", sid(52), Padding="x" * (70 * 1024))
        response = self.post_webhook(huge)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.Inbound.sudo().search([]))
        self.assertFalse(self.leads_of())

    def test_public_url_from_proxy_headers(self):
        public = "https://crm.example.com" + WEBHOOK
        with self.mockSMSGateway():
            response = self.post_webhook(
                self.twilio_form("Need a quote in 02139", sid(61)),
                signed_url=public,
                headers={
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "crm.example.com",
                },
            )
            self.assertEqual(response.status_code, 200)
            response = self.post_webhook(
                self.twilio_form("and a second one", sid(62)),
                signed_url="https://crm.example.com:8443" + WEBHOOK,
                headers={
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "crm.example.com",
                    "X-Forwarded-Port": "8443",
                },
            )
            self.assertEqual(response.status_code, 200)
        self.assertEqual(self.stored(sid(61)).state, "done")
        self.assertEqual(self.stored(sid(62)).state, "done")

    def test_public_url_with_proxy_mode(self):
        # With proxy_mode, werkzeug's ProxyFix rewrites the request URL itself.
        public = "https://crm.example.com" + WEBHOOK
        with patch.dict(config.options, {"proxy_mode": True}), self.mockSMSGateway():
            response = self.post_webhook(
                self.twilio_form("Need a quote in 02139", sid(63)),
                signed_url=public,
                headers={
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "crm.example.com",
                    "X-Forwarded-For": "203.0.113.7",
                },
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.stored(sid(63)).state, "done")

    def test_public_url_from_base_url_with_query(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://crm.example.com"
        )
        path = "%s?company=%s" % (WEBHOOK, self.env.company.id)
        with self.mockSMSGateway():
            response = self.post_webhook(
                self.twilio_form("Need a quote in 02139", sid(71)),
                path=path,
                signed_url="https://crm.example.com" + path,
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.stored(sid(71)).company_id, self.env.company)

    def test_repeated_media_urls(self):
        form = self.twilio_form("photos of the couch", sid(81), NumMedia="2")
        pairs = [
            *form.items(),
            ("MediaUrl", "https://media.example.com/a.jpg"),
            ("MediaUrl", "https://media.example.com/b.jpg"),
        ]
        with self.mockSMSGateway():
            response = self.post_webhook(pairs)
        self.assertEqual(response.status_code, 200)
        inbound = self.stored(sid(81))
        self.assertEqual(
            inbound.media_urls.splitlines(),
            ["https://media.example.com/a.jpg", "https://media.example.com/b.jpg"],
        )
        self.assertIn("media.example.com/b.jpg", inbound.message_id.body)

    def test_company_found_by_its_token(self):
        other = self.env["res.company"].create(
            {
                "name": "Other Movers",
                "country_id": self.env.ref("base.us").id,
                "proactive_sms_keyword_replies": True,
            }
        )
        other.sudo().write(
            {"sms_twilio_auth_token": "fedcba9876543210fedcba9876543210"}
        )
        path = "%s?company=%s" % (WEBHOOK, other.id)
        with self.mockSMSGateway():
            response = self.post_webhook(
                self.twilio_form("STOP", sid(91)),
                path=path,
                token="fedcba9876543210fedcba9876543210",
            )
        self.assertEqual(response.status_code, 200)
        inbound = self.stored(sid(91))
        self.assertEqual(inbound.company_id, other)
        self.assertEqual(inbound.keyword, "opt_out")
        self.assertEqual(len(self.texts_to()), 1, "the opt-out confirmation")
        self.assertIn("Other Movers: You are unsubscribed", self.texts_to()[0]["body"])
