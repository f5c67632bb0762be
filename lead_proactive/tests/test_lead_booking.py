# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmations by email and by assisted reply, sent when a lead
reaches a Booked stage and its company's "Confirm Bookings" setting is on."""

import datetime

from odoo.tests import Form, tagged

from .common import ProactiveCase

T0 = datetime.datetime(2025, 6, 10, 15, 0, 0)


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadBooking(ProactiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["proactive.sla.policy"]
        cls.Policy.search([]).action_archive()
        cls.policy_booked = cls.Policy.create(
            {"name": "Booked", "target": "booked_confirmation", "minutes": 0}
        )
        cls.template = cls.env.ref("lead_proactive.mail_template_booking_confirmation")

    def create_lead(self, **values):
        return self.env["crm.lead"].create(
            {
                "name": "Moving quote",
                "type": "opportunity",
                "team_id": self.team.id,
                "contact_name": "Pat Jones",
                "email_from": "pat.jones@example.net",
                "stage_id": self.stage_qualified.id,
                **values,
            }
        )

    def confirmations(self, lead):
        return self.env["proactive.touch"].search(
            [("lead_id", "=", lead.id), ("kind", "=", "confirmation")], order="step desc"
        )

    def emails_to(self, address):
        """Return the emails sent over SMTP to ``address``."""
        return [mail for mail in self._mails if address in str(mail["email_to"])]

    def test_booked_lead_gets_email_once(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(T0), self.mock_mail_gateway():
            with Form(lead.with_user(self.user_salesman)) as form:
                form.stage_id = self.stage_booked
            mails = self.emails_to("pat.jones@example.net")
        self.assertEqual(len(mails), 1)
        self.assertIn("You are booked", mails[0]["subject"])
        self.assertIn("Hi Pat", mails[0]["body"])
        touch = self.confirmations(lead)
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.step, 201)
        self.assertEqual(touch.channel, "email")
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.mail_template_id, self.template)
        self.assertEqual(touch.message_id.subject, mails[0]["subject"])
        self.assertEqual(lead.proactive_booking_count, 1)
        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_status, "met")

    def test_repeated_writes_send_nothing_more(self):
        lead = self.create_lead()
        other_booked = self.Stage.create(
            {"name": "Booked (deposit paid)", "proactive_milestone": "booked", "sequence": 60}
        )
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            lead.write({"stage_id": self.stage_booked.id})
            lead.write({"stage_id": other_booked.id, "priority": "2"})
            lead._proactive_send_confirmation(201, "email")
            mails = self.emails_to("pat.jones@example.net")
        self.assertEqual(len(mails), 1)
        self.assertEqual(len(self.confirmations(lead)), 1)
        self.assertEqual(lead.proactive_booking_count, 1)

    def test_booked_again_after_moving_back(self):
        lead = self.create_lead()
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            lead.stage_id = self.stage_qualified
            lead.stage_id = self.stage_booked
            mails = self.emails_to("pat.jones@example.net")
        self.assertEqual(len(mails), 2, "a new booking gets its own confirmation")
        self.assertEqual(self.confirmations(lead).mapped("step"), [202, 201])
        self.assertEqual(lead.proactive_booking_count, 2)

    def test_won_lead_moved_back_to_booked(self):
        lead = self.create_lead()
        stage_won = self.Stage._proactive_find("won")
        self.assertTrue(stage_won)
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            lead.stage_id = stage_won
            lead.stage_id = self.stage_booked
            mails = self.emails_to("pat.jones@example.net")
        self.assertEqual(len(mails), 1, "coming back from Won is not a new booking")

    def test_created_in_booked_stage(self):
        with self.mock_mail_gateway():
            lead = self.create_lead(stage_id=self.stage_booked.id)
            mails = self.emails_to("pat.jones@example.net")
        self.assertEqual(len(mails), 1)
        self.assertEqual(self.confirmations(lead).state, "sent")

    def test_opted_out_lead_skipped(self):
        lead = self.create_lead(proactive_opt_out=True)
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            mails = self.emails_to("pat.jones@example.net")
        self.assertFalse(mails)
        touch = self.confirmations(lead)
        self.assertEqual(touch.state, "skipped")
        self.assertIn("opted out", touch.skip_reason)
        self.assertIn("No booking confirmation sent", lead.message_ids[0].body)
        self.assertNotEqual(lead.sla_status, "met")

    def test_blacklisted_and_paused_leads_skipped(self):
        self.env["mail.blacklist"].sudo()._add("pat.jones@example.net")
        # Paused alone, a lead's confirmation goes to the salesperson
        # (test_lead_booking_handover). Blacklisted too, it is skipped, and
        # the reason given is the blacklist.
        self.env["mail.blacklist"].sudo()._add("sam.lee@example.net")
        blacklisted = self.create_lead()
        paused = self.create_lead(
            email_from="sam.lee@example.net",
            proactive_paused=True,
            proactive_pause_reason="Complaint",
        )
        with self.mock_mail_gateway():
            (blacklisted | paused).write({"stage_id": self.stage_booked.id})
        self.assertFalse(self._mails)
        self.assertIn("blacklist", self.confirmations(blacklisted).skip_reason)
        self.assertIn("blacklist", self.confirmations(paused).skip_reason)

    def test_setting_switched_off(self):
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.proactive_booking_confirmation, "on by default")
        settings.proactive_booking_confirmation = False
        settings.execute()
        self.assertFalse(self.env.company.proactive_booking_confirmation)
        lead = self.create_lead()
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
        self.assertEqual(lead.stage_id, self.stage_booked)
        self.assertFalse(self._mails)
        self.assertFalse(self.confirmations(lead))
        self.assertEqual(lead.proactive_booking_count, 0)

    def test_setting_of_lead_company(self):
        other_company = self.env["res.company"].create(
            {"name": "Other Movers", "proactive_booking_confirmation": False}
        )
        self.env.user.company_ids |= other_company
        other_lead = self.create_lead(company_id=other_company.id, team_id=False)
        own_lead = self.create_lead(email_from="sam.lee@example.net")
        with self.mock_mail_gateway():
            (other_lead | own_lead).write({"stage_id": self.stage_booked.id})
        self.assertFalse(self.confirmations(other_lead), "its company switched it off")
        self.assertEqual(self.confirmations(own_lead).state, "sent")

    def test_other_writes_confirm_nothing(self):
        with self.mock_mail_gateway():
            lead = self.create_lead(stage_id=self.stage_booked.id)
            lead.write({"priority": "2", "proactive_need": "couch"})
            lead.write({"stage_id": self.stage_booked.id, "priority": "1"})
        self.assertEqual(len(self.confirmations(lead)), 1)
        self.assertEqual(lead.proactive_booking_count, 1)

    def test_script_chosen_by_source(self):
        source = self.env.ref("lead_proactive.utm_source_offerup")
        specific = self.template.copy(
            {"subject": "OfferUp booking", "proactive_source_ids": [(6, 0, source.ids)]}
        )
        lead = self.create_lead(source_id=source.id)
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
        self.assertEqual(self.confirmations(lead).mail_template_id, specific)
        self.assertEqual(self.emails_to("pat.jones@example.net")[0]["subject"], "OfferUp booking")

    def test_marketplace_chat_gets_assisted_confirmation(self):
        lead = self.create_lead(
            proactive_channel="marketplace_chat",
            email_from=False,
            user_id=self.user_salesman.id,
        )
        with self.mock_datetime_and_now(T0), self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
        self.assertFalse(
            [mail for mail in self._mails if "booked" in mail["subject"]],
            "a marketplace chat cannot be emailed",
        )
        touch = self.confirmations(lead)
        self.assertEqual(touch.channel, "assisted")
        self.assertEqual(touch.state, "sent")
        self.assertIn("you are booked", touch.activity_id.note)
        self.assertEqual(lead.sla_status, "on_track", "nothing was sent yet")
        with self.mock_datetime_and_now(T0 + datetime.timedelta(seconds=30)):
            touch.activity_id.action_done()
        self.assertEqual(lead.sla_status, "met")

    def test_missing_script_skipped(self):
        self.template.proactive_usage = False
        lead = self.create_lead()
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
        self.assertEqual(lead.stage_id, self.stage_booked)
        self.assertEqual(self.confirmations(lead).state, "skipped")
        self.assertIn("no script", self.confirmations(lead).skip_reason)
