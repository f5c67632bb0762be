# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from markupsafe import Markup

from odoo import api, models
from odoo.tools import plaintext2html

# Odoo's mail gateway stores each text/plain part as one <pre> block, which
# the chatter shows without wrapping, so long lines run out of sight.
PREFORMATTED_BODY = re.compile(r"\s*(?:<pre>.*?</pre>\s*)+", re.DOTALL)
PREFORMATTED_BLOCK = re.compile(r"<pre>(.*?)</pre>", re.DOTALL)


def preformatted_to_paragraphs(body):
    """Return a plain-text email body as paragraphs and line breaks.

    Only a body made of <pre> blocks alone (a text/plain email) changes, so
    HTML written by the sender keeps its own layout. The text stays whole:
    each line break becomes <br/> and each blank line a new paragraph.
    """
    if not body or not PREFORMATTED_BODY.fullmatch(str(body)):
        return body
    paragraphs = [
        plaintext2html(Markup(block).unescape().strip("\n"))
        for block in PREFORMATTED_BLOCK.findall(str(body))
    ]
    return Markup("\n").join(paragraphs)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        # The gateway posts the message from this same dict after creating
        # the lead, so the body is changed in place.
        if msg_dict.get("body"):
            msg_dict["body"] = preformatted_to_paragraphs(msg_dict["body"])
        return super().message_new(msg_dict, custom_values=custom_values)

    def message_update(self, msg_dict, update_vals=None):
        if msg_dict.get("body"):
            msg_dict["body"] = preformatted_to_paragraphs(msg_dict["body"])
        return super().message_update(msg_dict, update_vals=update_vals)
