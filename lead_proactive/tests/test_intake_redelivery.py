# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Later deliveries of a webhook lead, over real HTTP: only text the lead
does not show yet is posted, a request sent again is never a reply, and
text the webhook writes itself is a note, not the customer's message."""

import json

from odoo.tests import HttpCase, tagged

from .common import ProactiveCase
from .test_intake_adapters import ANGI_LEAD, GENERIC_LEAD, YELP_WEBHOOK


def google_lead(*conversations, email=""):
    """Return a Google Local Services lead 111 with these conversation
    entries, each a (participant, text) pair or a full entry."""
    entries = [
        entry
        if isinstance(entry, dict)
        else {"participant_type": entry[0], "message_details": {"text": entry[1]}}
        for entry in conversations
    ]
    lead = {
        "resource_name": "customers/1234567890/localServicesLeads/111",
        "id": "111",
        "service_id": "local_moving",
        "contact_details": {
            "phone_number": "+14155550166",
            "email": email,
            "consumer_name": "Sam K.",
        },
        "lead_type": "MESSAGE",
        "creation_date_time": "2025-06-14 21:05:00",
    }
    if entries:
        lead["conversations"] = entries
    return {"account_time_zone": "America/Los_Angeles", "leads": [lead]}


THUMBTACK_LEAD = {
    "leadID": "tt-501",
    "createTimestamp": "1749853256",
    "request": {
        "requestID": "req-501",
        "category": "Local Moving (under 50 miles)",
        "description": "",
        "location": {"city": "Cambridge", "state": "MA", "zipCode": "02139"},
        "details": [{"question": "Home size", "answer": "1 bedroom"}],
    },
    "customer": {"name": "Riley S.", "phone": "+16175550164"},
}


@tagged("lead_proactive", "lead_proactive_intake", "post_install", "-at_install")
class TestIntakeRedelivery(ProactiveCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Source = cls.env["proactive.intake.source"]
        cls.sources = {}
        cls.tokens = {}
        for adapter in ("google_lsa", "angi", "thumbtack", "generic"):
            source = cls.Source.create(
                {
                    "name": "Test %s" % adapter,
                    "adapter": adapter,
                    "team_id": cls.team.id,
                    "time_zone": "America/Los_Angeles",
                }
            )
            action = source.action_generate_token()
            cls.sources[adapter] = source
            cls.tokens[adapter] = cls.env[action["res_model"]].browse(action["res_id"]).token

    def deliver(self, adapter, body, expected_status=200):
        """Post ``body`` to the source of ``adapter`` and return the answer's JSON."""
        response = self.url_open(
            "/lead_proactive/intake/%s" % self.sources[adapter].id,
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer %s" % self.tokens[adapter],
            },
        )
        self.assertEqual(response.status_code, expected_status, response.text)
        return response.json()

    def inbound(self, lead):
        """Return the lead's incoming messages, oldest first."""
        return lead.message_ids.filtered(lambda m: m.message_type == "email").sorted("id")

    def instant_touch(self, lead):
        return lead.proactive_touch_ids.filtered(lambda t: t.step == 0)

    def events(self, adapter, state):
        return self.env["proactive.intake.event"].search(
            [("source_id", "=", self.sources[adapter].id), ("state", "=", state)]
        )

    # ------------------------------------------------------------
    # Google Local Services
    # ------------------------------------------------------------
    def test_google_redelivery_posts_new_entries(self):
        first = self.deliver("google_lsa", google_lead())
        self.assertEqual(first["results"][0]["status"], "created")
        lead = self.env["crm.lead"].browse(first["results"][0]["lead_id"])
        self.assertFalse(self.inbound(lead), "a lead without text posts no message of the person")
        # Phone only: the instant reply is a call activity, and no one has
        # replied to the lead yet.
        self.assertEqual(self.instant_touch(lead).state, "sent")
        self.assertTrue(self.instant_touch(lead).activity_id)
        self.assertFalse(lead.proactive_first_response_date)

        with_text = google_lead(("CONSUMER", "Can you move us Saturday? 2 bedrooms."))
        second = self.deliver("google_lsa", with_text)
        self.assertEqual(second["results"][0]["status"], "appended")
        self.assertEqual(len(self.inbound(lead)), 1)
        self.assertIn("Can you move us Saturday?", self.inbound(lead).body)

        three_entries = google_lead(
            ("CONSUMER", "Can you move us Saturday? 2 bedrooms."),
            ("CONSUMER", "We also have a piano."),
            ("CONSUMER", "Our zip is 94110."),
        )
        third = self.deliver("google_lsa", three_entries)
        self.assertEqual(third["results"][0]["status"], "appended")
        inbound = self.inbound(lead)
        self.assertEqual(len(inbound), 2)
        self.assertIn("We also have a piano.", inbound[1].body)
        self.assertIn("Our zip is 94110.", inbound[1].body)
        self.assertNotIn("Can you move us Saturday?", inbound[1].body, "old text is not posted")
        self.assertEqual(lead.proactive_zip, "94110")

        # No one replied to the lead, so none of these messages is a reply.
        self.assertFalse(lead.proactive_replied)
        self.assertFalse(self.instant_touch(lead).replied)
        self.assertEqual(inbound.mapped("proactive_intake_kind"), ["request", "request"])

        # The same entries again, and again with other spaces and case: the
        # content differs but nothing is new, so nothing is posted.
        again = self.deliver("google_lsa", three_entries)
        self.assertEqual(again["results"][0]["status"], "duplicate")
        respaced = google_lead(
            ("CONSUMER", "can you move us  Saturday? 2 bedrooms."),
            ("CONSUMER", "We also have a piano. "),
            ("CONSUMER", "OUR ZIP IS 94110."),
        )
        self.assertEqual(self.deliver("google_lsa", respaced)["results"][0]["status"], "duplicate")
        self.assertEqual(len(self.inbound(lead)), 2)
        self.assertEqual(len(self.events("google_lsa", "duplicate")), 2)
        self.assertEqual(len(self.events("google_lsa", "appended")), 2)
        self.assertFalse(lead.proactive_replied)

    def test_google_conversation_reply_counts(self):
        with self.mock_mail_gateway():
            first = self.deliver(
                "google_lsa",
                google_lead(("CONSUMER", "Can you move us Saturday?"), email="sam.k@example.net"),
            )
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(self.instant_touch(lead).channel, "email")
        self.assertTrue(lead.proactive_first_response_date)

        # The rest of the request, delivered after our reply: not a reply.
        late_request = google_lead(
            ("CONSUMER", "Can you move us Saturday?"),
            ("CONSUMER", "It is a 2 bedroom flat."),
            email="sam.k@example.net",
        )
        self.assertEqual(self.deliver("google_lsa", late_request)["status"], "appended")
        self.assertFalse(lead.proactive_replied)
        self.assertFalse(self.instant_touch(lead).replied)

        # A message dated before our first response is not a reply either.
        early_answer = google_lead(
            ("CONSUMER", "Can you move us Saturday?"),
            ("CONSUMER", "It is a 2 bedroom flat."),
            ("ADVERTISER", "Yes, what time?"),
            {
                "participant_type": "CONSUMER",
                "event_date_time": "2025-06-14 21:20:00",
                "message_details": {"text": "Morning please."},
            },
            email="sam.k@example.net",
        )
        self.assertEqual(self.deliver("google_lsa", early_answer)["status"], "appended")
        self.assertEqual(self.inbound(lead)[-1].proactive_intake_kind, "conversation")
        self.assertEqual(str(self.inbound(lead)[-1].date), "2025-06-15 04:20:00")
        self.assertFalse(lead.proactive_replied)

        # The person's message after the business replied is a reply.
        answer = google_lead(
            ("CONSUMER", "Can you move us Saturday?"),
            ("CONSUMER", "It is a 2 bedroom flat."),
            ("ADVERTISER", "Yes, what time?"),
            ("CONSUMER", "Morning please."),
            ("CONSUMER", "9am works best."),
            email="sam.k@example.net",
        )
        self.assertEqual(self.deliver("google_lsa", answer)["status"], "appended")
        self.assertIn("9am works best.", self.inbound(lead)[-1].body)
        self.assertNotIn("Morning please.", self.inbound(lead)[-1].body)
        self.assertTrue(lead.proactive_replied)
        self.assertTrue(self.instant_touch(lead).replied)

    def test_google_phone_call_summary_is_note(self):
        body = google_lead()
        body["leads"][0]["lead_type"] = "PHONE_CALL"
        body["leads"][0]["contact_details"]["consumer_name"] = ""
        result = self.deliver("google_lsa", body)
        lead = self.env["crm.lead"].browse(result["lead_id"])
        summary = lead.message_ids.filtered(lambda m: m.proactive_intake_kind == "summary")
        self.assertEqual(len(summary), 1)
        self.assertIn("without a message from the customer", summary.body)
        self.assertIn("Phone call lead from Google Local Services: local moving", summary.body)
        self.assertEqual(summary.subtype_id, self.env.ref("mail.mt_note"))
        odoobot = self.env.ref("base.partner_root")
        self.assertEqual(summary.author_id, odoobot, "written by Odoo, not by the customer")
        self.assertFalse(self.inbound(lead))
        # The lead flow still ran on the new lead.
        activity = self.instant_touch(lead).activity_id
        self.assertEqual(activity.summary, "Call the lead now: %s" % lead.phone)
        self.assertTrue(lead.proactive_last_message_id)
        self.assertFalse(lead.proactive_replied)

    def test_summary_runs_the_active_rules(self):
        self.env.ref("lead_proactive.base_automation_process_inbound").active = False
        result = self.deliver("google_lsa", google_lead())
        lead = self.env["crm.lead"].browse(result["lead_id"])
        summary = lead.message_ids.filtered(lambda m: m.proactive_intake_kind == "summary")
        self.assertEqual(lead.proactive_last_message_id, summary, "the other rules read the note")
        self.assertFalse(self.instant_touch(lead), "the instant reply rule is off")

        # With every rule of the lead flow off, the note stays unread, as a
        # message of the lead would.
        rules = self.env["base.automation"].search([("proactive_inbound_step", "!=", False)])
        rules.active = False
        body = google_lead()
        body["leads"][0]["id"] = "115"
        lead = self.env["crm.lead"].browse(self.deliver("google_lsa", body)["lead_id"])
        self.assertFalse(lead.proactive_last_message_id)
        self.assertFalse(self.instant_touch(lead))

    # ------------------------------------------------------------
    # Angi, Thumbtack, generic
    # ------------------------------------------------------------
    def test_angi_redelivery_posts_new_lines(self):
        with self.mock_mail_gateway():
            first = self.deliver("angi", ANGI_LEAD)
            lead = self.env["crm.lead"].browse(first["lead_id"])
            self.assertTrue(lead.proactive_first_response_date, "the lead got the email reply")
            self.assertEqual(lead.proactive_followup_state, "running")
            updated = dict(
                ANGI_LEAD,
                comments="Two bedroom apartment, moving next Friday\nBudget is $900",
            )
            second = self.deliver("angi", updated)
            self.assertEqual(second["status"], "appended")
            # Another request id, the same text: nothing to post.
            third = self.deliver("angi", dict(updated, srOid="55556"))
            self.assertEqual(third["status"], "duplicate")
        inbound = self.inbound(lead)
        self.assertEqual(len(inbound), 2)
        self.assertIn("Budget is $900", inbound[1].body)
        self.assertNotIn("moving next Friday", inbound[1].body)
        self.assertNotIn("Stairs?", inbound[1].body)
        self.assertEqual(lead.proactive_budget, 900)
        # The request sent again is not the person replying to our email.
        self.assertEqual(inbound[1].proactive_intake_kind, "request")
        self.assertFalse(lead.proactive_replied)
        self.assertFalse(self.instant_touch(lead).replied)
        self.assertEqual(lead.proactive_followup_state, "running", "the follow-ups go on")
        self.assertEqual(len(self.outgoing_mails_to("dana.lopez@example.net")), 1)

    def test_thumbtack_redelivery_and_author_line(self):
        first = self.deliver("thumbtack", THUMBTACK_LEAD)
        lead = self.env["crm.lead"].browse(first["lead_id"])
        self.assertEqual(self.inbound(lead).email_from, "Riley S. (+16175550164)")
        self.assertFalse(self.inbound(lead).author_id)

        again = json.loads(json.dumps(THUMBTACK_LEAD))
        again["request"]["description"] = "Third floor walk-up."
        self.assertEqual(self.deliver("thumbtack", again)["status"], "appended")
        inbound = self.inbound(lead)
        self.assertEqual(len(inbound), 2)
        self.assertIn("Third floor walk-up.", inbound[1].body)
        self.assertNotIn("Home size", inbound[1].body)
        self.assertEqual(inbound[1].email_from, "Riley S. (+16175550164)")
        self.assertFalse(lead.proactive_replied)
        self.assertEqual(self.deliver("thumbtack", again)["status"], "duplicate")

    def test_generic_redelivery_with_new_line_is_reply(self):
        with self.mock_mail_gateway():
            first = self.deliver("generic", GENERIC_LEAD)
            lead = self.env["crm.lead"].browse(first["lead_id"])
            self.assertEqual(self.inbound(lead).email_from, '"Alex Kim" <alex.kim@example.org>')
            longer = dict(GENERIC_LEAD, message="Need 2 movers this Saturday\nAlso a piano")
            self.assertEqual(self.deliver("generic", longer)["status"], "appended")
            respaced = dict(GENERIC_LEAD, message="need 2 movers  this Saturday\n\nALSO A PIANO")
            self.assertEqual(self.deliver("generic", respaced)["status"], "duplicate")
        inbound = self.inbound(lead)
        self.assertEqual(len(inbound), 2)
        self.assertIn("Also a piano", inbound[1].body)
        self.assertNotIn("Need 2 movers", inbound[1].body)
        # The sender's own format: a new message after our reply is a reply.
        self.assertEqual(inbound[1].proactive_intake_kind, "conversation")
        self.assertTrue(lead.proactive_replied)
        self.assertTrue(self.instant_touch(lead).replied)
        self.assertEqual(lead.proactive_followup_stop_reason, "the lead replied")

    def test_generic_without_message_is_note(self):
        body = {key: value for key, value in GENERIC_LEAD.items() if key != "message"}
        with self.mock_mail_gateway():
            result = self.deliver("generic", body)
        lead = self.env["crm.lead"].browse(result["lead_id"])
        self.assertFalse(self.inbound(lead))
        summary = lead.message_ids.filtered(lambda m: m.proactive_intake_kind == "summary")
        self.assertEqual(summary.message_type, "comment")
        self.assertEqual(summary.subtype_id, self.env.ref("mail.mt_note"))
        self.assertNotIn("New lead", summary.body)
        # The flow answered the new lead by email.
        self.assertEqual(self.instant_touch(lead).state, "sent")
        self.assertEqual(len(self.outgoing_mails_to(GENERIC_LEAD["email"])), 1)
        self.assertTrue(lead.proactive_first_response_date)
        self.assertFalse(lead.proactive_replied)
        self.assertEqual(lead.proactive_zip, "78701")

    def test_assisted_reply_counts_after_activity_done(self):
        source = self.sources["generic"]
        source.reply_channel = "platform"
        first = self.deliver("generic", GENERIC_LEAD)
        lead = self.env["crm.lead"].browse(first["lead_id"])
        touch = self.instant_touch(lead)
        self.assertEqual((touch.channel, touch.state), ("assisted", "sent"))

        # The person writes again before anyone answered in the platform.
        self.deliver("generic", dict(GENERIC_LEAD, message="Any news?"))
        self.assertFalse(lead.proactive_replied)
        self.assertFalse(touch.replied)

        touch.activity_id.action_done()
        self.assertTrue(lead.proactive_first_response_date)
        self.deliver("generic", dict(GENERIC_LEAD, message="Saturday 9am then."))
        self.assertTrue(lead.proactive_replied)
        self.assertTrue(touch.replied)

    def test_yelp_new_lead_without_details_is_note(self):
        source = self.Source.create({"name": "Yelp", "adapter": "yelp", "team_id": self.team.id})
        action = source.action_generate_token()
        token = self.env[action["res_model"]].browse(action["res_id"]).token
        response = self.url_open(
            "/lead_proactive/intake/%s/%s" % (source.id, token),
            data=json.dumps(YELP_WEBHOOK),
            headers={"Content-Type": "application/json"},
        )
        lead = self.env["crm.lead"].browse(response.json()["lead_id"])
        summary = lead.message_ids.filtered(lambda m: m.proactive_intake_kind == "summary")
        self.assertIn(
            "Read the request in the Yelp conversation TbvEUYEi02cmSBmqCjQbkg", summary.body
        )
        self.assertFalse(self.inbound(lead))
        self.assertEqual(
            self.instant_touch(lead).activity_id.summary, "Reply to the lead on Yelp now"
        )
