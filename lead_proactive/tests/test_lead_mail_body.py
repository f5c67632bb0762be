# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo.tests import tagged

from ..models.crm_lead_mail_body import preformatted_to_paragraphs
from .common import ProactiveCase

LONG_LINE = "I need a crew for a " + "very " * 40 + "long move across town <today>."


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadMailBody(ProactiveCase):
    def test_plain_email_stored_as_paragraphs(self):
        with self.mock_mail_gateway():
            msg_id = self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Hello,\n%s\nZip 02139.\n\nThanks,\nJane" % LONG_LINE,
            )
        lead = self.find_lead("jane.doe@example.net")
        message = lead.message_ids.filtered(lambda m: m.message_id == msg_id)
        body = str(message.body)
        self.assertNotIn("<pre", body)
        self.assertIn("<p>Hello,<br>", body.replace("<br/>", "<br>"))
        self.assertIn("long move across town &lt;today&gt;.", body)
        self.assertIn("Thanks,", body)
        self.assertEqual(lead.proactive_zip, "02139", "the parser still reads the text")

    def test_reply_stored_as_paragraphs(self):
        with self.mock_mail_gateway():
            first_id = self.process_plain("Jane Doe <jane.doe@example.net>", "Need movers")
            reply_id = self.process_plain(
                "Jane Doe <jane.doe@example.net>",
                "Cambridge, %s" % LONG_LINE,
                subject="Re: Quote request",
                extra="In-Reply-To: %s\n" % first_id,
            )
        lead = self.find_lead("jane.doe@example.net")
        reply = lead.message_ids.filtered(lambda m: m.message_id == reply_id)
        self.assertNotIn("<pre", str(reply.body))
        self.assertIn("long move across town", str(reply.body))
        self.assertEqual(lead.proactive_timeline, "today")

    def test_html_body_kept(self):
        html = Markup("<p>Hi</p><pre>code</pre>")
        self.assertEqual(preformatted_to_paragraphs(html), html)
        self.assertFalse(preformatted_to_paragraphs(""))

    def test_preformatted_text_kept_whole(self):
        body = Markup("\n<pre>%s</pre>\n") % "a < b & c\nline 2\n\npara 2"
        result = str(preformatted_to_paragraphs(body))
        self.assertEqual(result, "<p>a &lt; b &amp; c<br/>line 2</p><p>para 2</p>")
