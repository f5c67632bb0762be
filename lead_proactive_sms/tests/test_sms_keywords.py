# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Table tests of the STOP, START and HELP classifier (no database)."""

from odoo.tests import BaseCase, tagged

from ..tools import sms_keywords
from ..tools.sms_keywords import HELP, OPT_IN, OPT_OUT
from .common import load_sample

EXTRA_WORDS = ["ALTO", "PARA", "BAJA", "CANCELAR"]


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsKeywords(BaseCase):
    def test_keyword_table(self):
        cases = [
            # Carrier keywords, alone, in any case, with punctuation or emoji.
            ("STOP", OPT_OUT),
            ("stop", OPT_OUT),
            ("  Stop.  ", OPT_OUT),
            ("STOP!!", OPT_OUT),
            ("STOP 🛑", OPT_OUT),
            ("STOPALL", OPT_OUT),
            ("STOP ALL", OPT_OUT),
            ("Unsubscribe", OPT_OUT),
            ("CANCEL", OPT_OUT),
            ("End", OPT_OUT),
            ("QUIT", OPT_OUT),
            ("REVOKE", OPT_OUT),
            ("OPTOUT", OPT_OUT),
            ("opt out", OPT_OUT),
            ("Opt-out", OPT_OUT),
            # Keywords with filler words.
            ("Stop. Thanks", OPT_OUT),
            ("stop please", OPT_OUT),
            ("Please stop", OPT_OUT),
            ("unsubscribe me", OPT_OUT),
            ("stop texting me", OPT_OUT),
            ("ok stop now", OPT_OUT),
            # Revocations in a sentence.
            ("please remove me from your list", OPT_OUT),
            ("Take me off this list", OPT_OUT),
            ("Don't text me again", OPT_OUT),
            ("do not contact me", OPT_OUT),
            ("please stop sending me these", OPT_OUT),
            ("no more texts", OPT_OUT),
            ("How do I unsubscribe?", OPT_OUT),
            ("Wrong number", OPT_OUT),
            # An opt-out wins over anything else in the message.
            ("yes stop", OPT_OUT),
            ("STOP HELP", OPT_OUT),
            # Configured words, whole message only.
            ("Alto", OPT_OUT),
            ("BAJA", OPT_OUT),
            ("para mañana", None),
            # The same words with another meaning.
            ("stop the leak", None),
            ("We have to STOP the leak in the basement today, can you come?", None),
            ("can you stop by tomorrow", None),
            ("cancel my move", None),
            ("the end of the month works", None),
            ("stop sending the truck at 8, 9 is better", None),
            ("Start time 9am?", None),
            # Opt-in and help.
            ("START", OPT_IN),
            ("Unstop", OPT_IN),
            ("yes", OPT_IN),
            ("Yes please", OPT_IN),
            ("Yes, today works", None),
            ("HELP", HELP),
            ("help!", HELP),
            ("INFO", HELP),
            ("info please", HELP),
            ("I need help moving a couch", None),
            # Nothing to classify.
            ("", None),
            ("🙂", None),
            ("thank you", None),
            ("ok", None),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(sms_keywords.classify(text, EXTRA_WORDS), expected)

    def test_extra_words_off_by_default(self):
        self.assertIsNone(sms_keywords.classify("Alto"))

    def test_sample_cases(self):
        sample = load_sample("BH-19")
        expected_by_label = {
            "opt_out": OPT_OUT,
            "opt_out_or_review": OPT_OUT,
            "not_opt_out": None,
            "help": HELP,
            "opt_in_if_opted_out": OPT_IN,
        }
        for case in sample["cases"]:
            with self.subTest(body=case["body"]):
                self.assertEqual(
                    sms_keywords.classify(case["body"], EXTRA_WORDS),
                    expected_by_label[case["expect"]],
                    case["why"],
                )
