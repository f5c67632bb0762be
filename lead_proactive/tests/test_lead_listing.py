# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from ..tools import lead_sources
from ..tools.lead_parser import extract_need
from .common import ProactiveCase

RELAY = "Sam T <5f6e7d8c9b0a41e2a3b4c5d6e7f80912@reply.craigslist.org>"


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadListing(ProactiveCase):
    def test_craigslist_ad_title_is_listing(self):
        with self.mock_mail_gateway():
            self.process_plain(
                RELAY,
                "hi is this still available? I could come see it this weekend",
                subject="2 bedroom apartment - $1200 (Oakland)",
            )
        lead = self.find_lead("5f6e7d8c9b0a41e2a3b4c5d6e7f80912@reply.craigslist.org")
        self.assertEqual(lead.proactive_listing, "2 bedroom apartment - $1200 (Oakland)")
        self.assertEqual(lead.proactive_need, "Hi is this still available?")
        self.assertFalse(lead.proactive_budget, "the ad's price is not the lead's budget")
        self.assertFalse(lead.proactive_city, "the ad's place is not the lead's")
        self.assertEqual(lead.proactive_timeline, "this_week")

    def test_craigslist_ad_title_never_need(self):
        with self.mock_mail_gateway():
            self.process_plain(
                RELAY, "text me at 512 555 0134", subject="Re: Need movers? 2 men $90/hr"
            )
        lead = self.find_lead("5f6e7d8c9b0a41e2a3b4c5d6e7f80912@reply.craigslist.org")
        self.assertEqual(lead.proactive_listing, "Need movers? 2 men $90/hr")
        self.assertFalse(lead.proactive_need)
        self.assertFalse(lead.proactive_budget)

    def test_marketplace_listing_from_notification(self):
        body = (
            'Jordan Lee sent you a message about your listing "Moving help - need a '
            'hand? $50/hr".\n\n'
            '"Hi, can you help me move a couch tomorrow in Austin?"\n\n'
            "Reply in Messenger"
        )
        with self.mock_mail_gateway():
            self.process_plain(
                "Facebook <notification@facebookmail.com>",
                body,
                subject="Jordan Lee sent you a message about your listing",
            )
        lead = self.env["crm.lead"].search([("contact_name", "=", "Jordan Lee")])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.proactive_listing, "Moving help - need a hand? $50/hr")
        self.assertEqual(lead.proactive_need, "Can you help me move a couch tomorrow in Austin?")
        self.assertFalse(lead.proactive_budget)
        self.assertEqual(lead.proactive_city, "Austin")

    def test_own_subject_gives_need_when_body_has_none(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Please call me back, I'm in 02139.",
                subject="Need movers for a studio",
            )
        lead = self.find_lead("jane.doe@example.net")
        self.assertEqual(lead.proactive_need, "Need movers for a studio")
        self.assertFalse(lead.proactive_listing)

    def test_body_need_wins_over_own_subject(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Looking for two movers to load a truck.",
                subject="Quote request for a move",
            )
        lead = self.find_lead("jane.doe@example.net")
        self.assertEqual(lead.proactive_need, "Looking for two movers to load a truck.")

    def test_reply_subject_never_need(self):
        with self.mock_mail_gateway():
            self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Thanks, I'm in 02139.",
                subject="Re: Thanks for contacting Example Movers",
            )
        lead = self.find_lead("jane.doe@example.net")
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertFalse(lead.proactive_need, "a reply's subject is ours, not the lead's")

    def test_form_subject_never_need(self):
        with self.mock_mail_gateway():
            self.process_plain(
                '"Example Movers website" <forms@www.example-movers.com>',
                "Name: Avery Brooks\nEmail: avery.brooks@example.com\nZIP: 78701\n",
                subject='New "Get a quote" request',
                extra="Reply-To: Avery Brooks <avery.brooks@example.com>\n",
            )
        lead = self.find_lead("avery.brooks@example.com")
        self.assertEqual(lead.proactive_zip, "78701")
        self.assertFalse(lead.proactive_need, "the form's subject is not the lead's words")

    def test_listing_title_patterns(self):
        cases = [
            ("New message from Kim about Oak table", "", "Oak table"),
            ("Kim made an offer on Blue sofa", "", "Blue sofa"),
            ("New message from Kim re: Desk lamp", "", "Desk lamp"),
            ("Kim sent you a message about your listing", "", None),
            (
                "Kim is interested in your listing",
                "Kim is interested in your listing: 2 bedroom apartment - $1200 (Oakland)",
                "2 bedroom apartment - $1200 (Oakland)",
            ),
        ]
        for subject, body, title in cases:
            with self.subTest(subject=subject):
                self.assertEqual(
                    lead_sources._listing_title(subject, body.split("\n")), title
                )

    def test_extract_need_empty_text(self):
        self.assertIsNone(extract_need(""))
        self.assertIsNone(extract_need("Thanks!"))
        self.assertEqual(extract_need("hi, need a quote"), "Need a quote")

    def test_extract_need_drops_quotes(self):
        self.assertEqual(
            extract_need('"Hi, is this still available? I can pick it up tomorrow."'),
            "Is this still available?",
        )
        self.assertEqual(extract_need('"Can you move a couch?"'), "Can you move a couch?")
