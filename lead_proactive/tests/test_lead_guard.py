# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import ProactiveCase


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadGuard(ProactiveCase):
    def _guard_notes(self, lead):
        subtype = self.env.ref("lead_proactive.mt_lead_guard")
        return lead.message_ids.filtered(lambda m: m.subtype_id == subtype)

    def _new_lead(self, email="jane.doe@example.net", body="Need a quote for a move"):
        msg_id = self.process_plain("Jane Doe <%s>" % email, body)
        return self.find_lead(email), msg_id

    def test_autoreply_on_thread_not_counted(self):
        with self.mock_mail_gateway():
            lead, msg_id = self._new_lead()
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "I'm travelling with limited access to email until Monday.",
                subject="Away until June 16 - Re: Quote request",
                extra="In-Reply-To: %s\nAuto-Submitted: auto-replied\nPrecedence: bulk\n" % msg_id,
            )
        self.assertEqual(len(self.find_lead("jane.doe@example.net")), 1)
        self.assertFalse(lead.proactive_replied)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 1)
        auto = lead.message_ids.filtered(lambda m: m.proactive_auto_reason)
        self.assertEqual(len(auto), 1)
        self.assertTrue(auto.proactive_auto_reason.startswith("autoresponder"))
        self.assertTrue(
            any("not counted as a reply" in note.body for note in self._guard_notes(lead))
        )

    def test_exchange_ooo_without_auto_submitted(self):
        with self.mock_mail_gateway():
            lead, msg_id = self._new_lead()
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Ich bin bis 16.06. nicht im Buero.",
                subject="Automatische Antwort: Quote request",
                extra="In-Reply-To: %s\nX-Auto-Response-Suppress: All\n" % msg_id,
            )
        self.assertFalse(lead.proactive_replied)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 1)

    def test_autoreply_without_thread_creates_no_lead(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Out Of Office <someone@example.com>",
                "I am out of the office.",
                subject="Out of Office: hello",
                extra="Auto-Submitted: auto-replied\n",
            )
        self.assertFalse(self.find_lead("someone@example.com"))
        self.assertFalse(self.outgoing_mails_to("someone@example.com"))

    def test_mailing_list_lead_paused(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Chris Poster <chris.poster@example.com>",
                "Anyone know movers in Cambridge 02139? Need it asap, can I pay today?",
                subject="[HomePros] need movers",
                extra="List-Id: Home Pros Forum <forum.lists.example.org>\nPrecedence: list\n",
            )
        lead = self.find_lead("chris.poster@example.com")
        self.assertEqual(len(lead), 1)
        self.assertTrue(lead.proactive_paused)
        self.assertFalse(self.outgoing_mails_to("chris.poster@example.com"))
        self.assertFalse(lead.proactive_touch_ids, "list mail is never answered")
        self.assertTrue(self._guard_notes(lead))

    def test_blacklisted_email_not_answered(self):
        self.env["mail.blacklist"]._add("Dana.Whitfield@Example.NET")
        with self.mock_mail_gateway():
            self.process_plain(
                "Dana Whitfield <DANA.WHITFIELD@example.net>",
                "Need a quote, call (617) 555-0142",
            )
        lead = self.find_lead("dana.whitfield@example.net")
        self.assertEqual(len(lead), 1)
        self.assertFalse(self.outgoing_mails_to("dana.whitfield@example.net"))
        self.assertFalse(self.outgoing_mails_to("DANA.WHITFIELD@example.net"))
        touch = lead.proactive_touch_ids
        self.assertEqual(touch.state, "skipped")
        self.assertIn("blacklist", touch.skip_reason)
        self.assertTrue(any("blacklist" in n.body for n in self._guard_notes(lead)))

    def test_archived_blacklist_entry_does_not_block(self):
        entry = self.env["mail.blacklist"]._add("old.optout@example.org")
        entry.action_archive()
        with self.mock_mail_gateway():
            self.process_plain("Old <old.optout@example.org>", "quote please")
        self.assertEqual(len(self.outgoing_mails_to("old.optout@example.org")), 1)

    def test_noreply_sender_not_answered(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Shop Notifications <no-reply@shop.example.com>",
                "Your order has shipped.",
            )
        lead = self.find_lead("no-reply@shop.example.com")
        self.assertFalse(self.outgoing_mails_to("no-reply@shop.example.com"))
        if lead:
            self.assertEqual(lead.proactive_touch_ids.state, "skipped")

    def test_opted_out_lead_gets_nothing(self):
        with self.mock_mail_gateway():
            lead, msg_id = self._new_lead()
            lead.proactive_touch_ids.unlink()
            lead.proactive_opt_out = True
            lead._proactive_send_instant_reply(lead.message_ids[:1])
        touch = lead.proactive_touch_ids
        self.assertEqual(touch.state, "skipped")
        self.assertIn("opted out", touch.skip_reason)

    def test_website_form_reply_to_is_the_person(self):
        body = (
            "From: Dana Whitfield <dana.whitfield@example.net>\n"
            "Phone: (617) 555-0142\n"
            "Moving from ZIP: 07030\n\n"
            "Message Body:\n"
            "Hi - 2 bedroom, hoping for this Saturday. Budget around $1,500.\n"
        )
        with self.mock_mail_gateway():
            self.process_plain(
                '"info@example-movers.com" <wordpress@www.example-movers.com>',
                body,
                subject='Example Movers "Get a quote" form',
                extra="Reply-To: Dana Whitfield <Dana.Whitfield@Example.NET>\n",
            )
        lead = self.find_lead("dana.whitfield@example.net")
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.email_from, "dana.whitfield@example.net")
        self.assertEqual(lead.contact_name, "Dana Whitfield")
        self.assertEqual(lead.phone, "+16175550142")
        self.assertEqual(lead.proactive_zip, "07030")
        self.assertEqual(lead.source_id, self.env.ref("lead_proactive.utm_source_website"))
        self.assertFalse(lead.partner_id)
        self.assertEqual(len(self.outgoing_mails_to("dana.whitfield@example.net")), 1)
        self.assertFalse(self.outgoing_mails_to("wordpress@www.example-movers.com"))
        self.assertFalse(
            self.env["res.partner"].search([("email", "ilike", "wordpress@www.example-movers.com")])
        )

    def test_marketplace_chat_gets_assisted_reply(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Facebook <notification@facebookmail.com>",
                "Alex Morgan sent you a message about your listing Grey sectional sofa.\n\n"
                '"Is this still available? I can pick it up today in 78704"\n\n'
                "Reply in Messenger",
                subject="Alex Morgan sent you a message about your listing",
            )
        lead = self.env["crm.lead"].search([("contact_name", "=", "Alex Morgan")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.proactive_channel, "marketplace_chat")
        self.assertEqual(
            lead.source_id, self.env.ref("lead_proactive.utm_source_facebook_marketplace")
        )
        self.assertFalse(self.outgoing_mails_to("facebookmail.com"))
        self.assertFalse(lead.message_ids.filtered("proactive_auto_reason"))
        self.assertEqual(lead.proactive_zip, "78704")
        self.assertEqual(lead.proactive_timeline, "today")
        activity = lead.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("lead_proactive.mail_activity_type_assisted_reply"),
        )
        self.assertIn("available", activity.note)
        self.assertFalse(lead.proactive_first_response_date)
        activity.action_feedback(feedback="Replied in Messenger")
        self.assertTrue(lead.proactive_first_response_date)

    def test_bounce_stops_emails(self):
        with self.mock_mail_gateway():
            lead, _msg_id = self._new_lead(email="old.address@example.org")
            mail = self.outgoing_mails_to("old.address@example.org")
            self.assertEqual(len(mail), 1)
            dsn = (
                "Return-Path: <>\n"
                "From: <postmaster@mx.example.org>\n"
                "To: <%s>\n"
                "Subject: Undeliverable: Quote request\n"
                "Message-ID: <dsn.1@mx.example.org>\n"
                "MIME-Version: 1.0\n"
                'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
                "--B\nContent-Type: text/plain\n\nDelivery has failed to old.address@example.org\n\n"
                "--B\nContent-Type: message/delivery-status\n\n"
                "Reporting-MTA: dns; mx.example.org\n\n"
                "Final-Recipient: rfc822; old.address@example.org\nAction: failed\nStatus: 5.1.1\n\n"
                "--B\nContent-Type: text/rfc822-headers\n\n"
                "Message-ID: %s\n\n--B--\n"
            ) % (self.lead_alias, mail.message_id)
            self.process_email(dsn)
        self.assertEqual(len(self.env["crm.lead"].search([("email_from", "ilike", "postmaster")])), 0)
        self.assertGreater(lead.message_bounce, 0)
        self.assertIn("bounced", lead._proactive_guard_reason())

    def test_platform_notice_without_person_is_automatic(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Facebook <notification@facebookmail.com>",
                "Your listing Grey sectional sofa is now live on Marketplace.",
                subject="Your listing is live",
            )
        self.assertFalse(
            self.env["crm.lead"].search([("name", "=", "Your listing is live")]).filtered(
                lambda lead: lead.proactive_touch_ids.filtered(lambda t: t.state == "sent")
            ),
            "a platform notice without a person gets no reply",
        )
        self.assertFalse(self.outgoing_mails_to("facebookmail.com"))
