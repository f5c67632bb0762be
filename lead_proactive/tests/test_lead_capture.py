# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ProactiveCase


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadCapture(ProactiveCase):
    def test_plain_inquiry_creates_qualified_lead(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Dana Whitfield <dana.whitfield@example.net>",
                "Hi! Is the grey sectional still available? I'm in 78704 and can "
                "come pick it up today after 5.\n\nThanks,\nDana",
                subject="Sectional sofa - still available?",
            )
        lead = self.find_lead("dana.whitfield@example.net")
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.contact_name, "Dana Whitfield")
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.medium_id, self.env.ref("utm.utm_medium_email"))
        self.assertEqual(lead.proactive_zip, "78704")
        self.assertEqual(lead.proactive_timeline, "today")
        self.assertEqual(lead.proactive_channel, "email")
        self.assertTrue(lead.proactive_arrival_date)
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_instant_reply_queued_for_immediate_send(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Marco Bellini <marco.bellini@example.org>",
                "Hello, how much do you charge for a 2 bedroom apartment move?",
                subject="Moving quote",
            )
        lead = self.find_lead("marco.bellini@example.org")
        mails = self.outgoing_mails_to("marco.bellini@example.org")
        self.assertEqual(len(mails), 1, "exactly one instant reply")
        body = mails.body_html
        self.assertIn("What city are you in, and is it for today or this week?", body)
        self.assertEqual(mails.model, "crm.lead")
        self.assertEqual(mails.res_id, lead.id)
        self.assertFalse(
            self._new_mails.filtered(lambda m: "sam.rivera" in (m.email_to or "")),
            "followers are not emailed the automated reply",
        )
        touch = lead.proactive_touch_ids
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.step, 0)
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.mail_template_id, self.env.ref("lead_proactive.mail_template_instant_reply"))
        self.assertTrue(lead.proactive_first_response_date)
        self.assertGreaterEqual(lead.proactive_first_response_seconds, 0)
        self.assertEqual(lead.stage_id, self.stage_new, "no place and no timeline yet")

    def test_reply_qualifies_without_second_instant_reply(self):
        with self.mock_mail_gateway():
            first_id = self.process_plain(
                "Marco Bellini <marco.bellini@example.org>",
                "Hello, how much do you charge for a 2 bedroom apartment move?",
            )
            lead = self.find_lead("marco.bellini@example.org")
            self.process_plain(
                "Marco Bellini <marco.bellini@example.org>",
                "Round Rock. Saturday morning would be ideal.\n\n"
                "On Fri, Jun 13, 2025 at 6:20 PM Example Movers wrote:\n"
                "> Our office is downtown (78701). Are you looking to do this today?",
                subject="Re: Quote request",
                extra="In-Reply-To: %s\nReferences: %s\n" % (first_id, first_id),
            )
        self.assertEqual(len(self.find_lead("marco.bellini@example.org")), 1)
        self.assertEqual(len(self.outgoing_mails_to("marco.bellini@example.org")), 1)
        self.assertEqual(lead.proactive_city, "Round Rock")
        self.assertFalse(lead.proactive_zip, "the quoted zip is ours, not the lead's")
        self.assertEqual(lead.proactive_timeline, "this_week")
        self.assertTrue(lead.proactive_replied)
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_reply_with_unknown_ids_falls_back_to_sender(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Jane Doe <jane.doe@example.net>", "Need a quote for a move please"
            )
            lead = self.find_lead("jane.doe@example.net")
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Yes tomorrow works, I'm in Cambridge 02139.",
                subject="Re: Quote request",
                extra="In-Reply-To: <rewritten.by.esp@email.example.com>\n",
            )
        self.assertEqual(len(self.find_lead("jane.doe@example.net")), 1)
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertTrue(lead.proactive_replied)

    def test_manual_value_not_overwritten(self):
        with self.mock_mail_gateway():
            msg_id = self.process_plain(
                "Jane Doe <jane.doe@example.net>", "Need movers, I'm in 02139"
            )
            lead = self.find_lead("jane.doe@example.net")
            lead.with_user(self.user_sales_manager).write({"proactive_zip": "02140"})
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Actually it is 02141 and this week",
                subject="Re: Quote request",
                extra="In-Reply-To: %s\n" % msg_id,
            )
        self.assertEqual(lead.proactive_zip, "02140")
        self.assertEqual(lead.proactive_timeline, "this_week")

    def test_stage_not_moved_back(self):
        with self.mock_mail_gateway():
            msg_id = self.process_plain(
                "Jane Doe <jane.doe@example.net>", "Need movers please"
            )
            lead = self.find_lead("jane.doe@example.net")
            lead.stage_id = self.stage_booked
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "I'm in 02139, today please",
                subject="Re: Quote request",
                extra="In-Reply-To: %s\n" % msg_id,
            )
        self.assertEqual(lead.stage_id, self.stage_booked)

    def test_platform_resend_merged(self):
        extra = "Reply-To: customer07@example.net\nX-Platform-Lead-Id: 7007\n"
        body = "Customer: Customer 07\nPhone: (617) 555-0107\nZIP: 02107\nWhen: this week\n"
        with self.mock_mail_gateway():
            for _attempt in range(2):
                self.process_plain(
                    "Example Leads <leads-noreply@leadplatform.example.com>",
                    body,
                    subject="New lead #7007: Local move",
                    extra=extra,
                )
        lead = self.find_lead("customer07@example.net")
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.proactive_external_ref, "7007")
        self.assertEqual(lead.proactive_zip, "02107")
        self.assertEqual(len(self.outgoing_mails_to("customer07@example.net")), 1)
        self.assertFalse(self.outgoing_mails_to("leads-noreply@leadplatform.example.com"))

    def test_platform_burst_not_dropped_by_loop_guard(self):
        """More leads from one platform sender than Odoo's loop threshold."""
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 5)
        with self.mock_mail_gateway():
            for index in range(8):
                self.process_plain(
                    "Example Leads <leads-noreply@leadplatform.example.com>",
                    "Customer: Customer %02d\nZIP: 021%02d\nWhen: this week\n" % (index, index),
                    subject="New lead #%d" % (8000 + index),
                    extra="Reply-To: burst%02d@example.net\nX-Platform-Lead-Id: %d\n"
                    % (index, 8000 + index),
                )
        leads = self.env["crm.lead"].search([("email_from", "like", "burst")])
        self.assertEqual(len(leads), 8)
        self.assertEqual(sorted(leads.mapped("proactive_zip")), ["021%02d" % i for i in range(8)])
        self.assertFalse(self.outgoing_mails_to("leads-noreply@leadplatform.example.com"))

    def test_automation_failure_keeps_message(self):
        """A crash in one step leaves the inbound message on the lead, and
        the other steps (here the instant reply) still run."""
        Lead = type(self.env["crm.lead"])
        crash = ValueError("parser exploded")
        with (
            patch.object(Lead, "_proactive_read_message", side_effect=crash),
            mute_logger("odoo.addons.lead_proactive.models.crm_lead_inbound"),
            self.mock_mail_gateway(),
        ):
            self.process_plain("Jane Doe <jane.doe@example.net>", "Need a quote")
        lead = self.find_lead("jane.doe@example.net")
        self.assertEqual(len(lead), 1)
        self.assertIn("parser exploded", lead.proactive_error)
        inbound = lead.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(inbound), 1)
        self.assertIn("Need a quote", inbound.body)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 1)

    def test_reply_in_same_second_meets_first_reply_sla(self):
        """The instant reply usually leaves within the second the lead
        arrived; message dates have no fractions of a second."""
        arrival = datetime.datetime(2025, 6, 10, 15, 0, 0, 900000)
        with self.mock_datetime_and_now(arrival), self.mock_mail_gateway():
            self.process_plain("Morgan Ellis <morgan.ellis@example.org>", "Moving help please")
        lead = self.find_lead("morgan.ellis@example.org")
        self.assertEqual(lead.proactive_arrival_date, arrival.replace(microsecond=0))
        self.assertEqual(lead.proactive_first_response_seconds, 0)
        self.assertEqual(lead.sla_target, "first_reply")
        self.assertEqual(lead.sla_status, "met")
