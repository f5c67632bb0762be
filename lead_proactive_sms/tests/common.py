# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import os
import pathlib
import unittest

from odoo.tests.test_cursor import TestCursor
from odoo.tools.misc import Callbacks

from odoo.addons.lead_proactive.tests.common import ProactiveCase
from odoo.addons.sms.tests.common import SMSCase

from ..tools import twilio_signature

SAMPLES_DIR = os.environ.get("PROACTIVE_SAMPLES_DIR")
WEBHOOK = "/lead_sms/twilio/inbound"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT_SID = "AC00000000000000000000000000000000"
OUR_NUMBER = "+16175550100"
LEAD_NUMBER = "+16175550142"


def load_sample(case_id):
    """Return the JSON sample whose file name starts with ``case_id``, or
    skip the test when PROACTIVE_SAMPLES_DIR does not point at samples."""
    folder = pathlib.Path(SAMPLES_DIR or "", "json")
    if not SAMPLES_DIR or not folder.is_dir():
        raise unittest.SkipTest("PROACTIVE_SAMPLES_DIR is not set to a samples folder")
    matches = sorted(folder.glob("%s*.json" % case_id))
    if not matches:
        raise unittest.SkipTest("no sample %s in %s" % (case_id, folder))
    return json.loads(matches[0].read_text())


def commit_and_run_postcommit(cursor):
    """Commit a test cursor and run its post-commit callbacks, as a real
    cursor's commit does. TestCursor.commit drops them."""
    callbacks = cursor.postcommit
    cursor.postcommit = Callbacks()
    TEST_CURSOR_COMMIT(cursor)
    # Callbacks such as the bus's read their data from the cursor.
    cursor.postcommit = callbacks
    callbacks.run()


TEST_CURSOR_COMMIT = TestCursor.commit


def sid(number):
    """Return a valid Twilio message SID ending with ``number``."""
    return "SM%032d" % number


class ProactiveSmsCase(ProactiveCase, SMSCase):
    """Base of the SMS tests: a US company with a Twilio auth token, the
    test team for SMS leads, and helpers that deliver texts through the
    webhook (over HTTP) or straight to the inbound model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "country_id": cls.env.ref("base.us").id,
                "proactive_sms_team_id": cls.team.id,
            }
        )
        # The provider stays 'iap' so that Odoo's SMS gateway mock catches
        # every text; the Twilio credentials only sign the inbound requests.
        cls.env.company.sudo().write(
            {"sms_twilio_auth_token": AUTH_TOKEN, "sms_twilio_account_sid": ACCOUNT_SID}
        )
        # The tests of keyword replies need our own replies; the default (off,
        # Twilio answers) is tested on its own.
        cls.env.company.proactive_sms_keyword_replies = True
        # Webhook requests commit a test cursor: run what they queue for
        # after the commit (the texts) as production does.
        cls.classPatch(TestCursor, "commit", commit_and_run_postcommit)
        cls.Inbound = cls.env["proactive.sms.inbound"]
        cls.Lead = cls.env["crm.lead"]
        cls.template_instant = cls.env.ref(
            "lead_proactive_sms.sms_template_instant_reply"
        )
        cls.template_followup = cls.env.ref("lead_proactive_sms.sms_template_followup")

    # ------------------------------------------------------------
    # Delivering texts
    # ------------------------------------------------------------
    @staticmethod
    def twilio_form(body, message_sid, number=LEAD_NUMBER, **extra):
        form = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "Body": body,
            "From": number,
            "MessageSid": message_sid,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": message_sid,
            "SmsSid": message_sid,
            "SmsStatus": "received",
            "To": OUR_NUMBER,
        }
        form.update(extra)
        return form

    def post_webhook(
        self, form, path=WEBHOOK, headers=None, signed_url=None, token=AUTH_TOKEN
    ):
        """POST a Twilio request to the webhook over HTTP, signed for
        ``signed_url`` (default: the test server's URL of ``path``)."""
        pairs = list(form.items()) if isinstance(form, dict) else list(form)
        all_headers = {}
        if token is not None:
            all_headers["X-Twilio-Signature"] = twilio_signature.compute_signature(
                token, signed_url or self.base_url() + path, pairs
            )
        all_headers.update(headers or {})
        return self.url_open(path, data=pairs, headers=all_headers)

    def receive(self, body, message_sid, number=LEAD_NUMBER, **extra):
        """Deliver a text straight to the inbound model, as the webhook does
        after checking the signature. Returns the inbound row, or an empty
        recordset for a duplicate."""
        params = list(self.twilio_form(body, message_sid, number, **extra).items())
        Inbound = self.Inbound.sudo().with_company(self.env.company)
        values = Inbound._prepare_twilio_values(params, self.env.company)
        inbound = Inbound._insert_new(values)
        inbound._process_safely()
        self.run_after_commit()
        return inbound

    def run_after_commit(self):
        """Run what the transaction registered to run after its commit, as
        a commit would: the texts it queued are sent then. The test cursor
        never commits, so the tests call this where a request or a cron job
        would commit."""
        self.env.flush_all()
        self.env.cr.postcommit.run()
        self.env.invalidate_all()

    # ------------------------------------------------------------
    # Finding results
    # ------------------------------------------------------------
    def leads_of(self, number=LEAD_NUMBER):
        return self.Lead.sudo().search([("phone_sanitized", "=", number)])

    def texts_to(self, number=LEAD_NUMBER):
        return [sms for sms in self._sms if sms["number"] == number]

    def inbound_texts(self, lead):
        return lead.message_ids.filtered(
            lambda m: m.message_type == "sms" and m.proactive_sms_inbound
        )
