# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Table tests of the SMS encoding and segment count (no database)."""

from odoo.tests import BaseCase, tagged

from ..tools import sms_segments


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsSegments(BaseCase):
    def test_segment_table(self):
        cases = [
            # (name, text, encoding, length, segments, characters forcing UCS-2)
            ("empty", "", "GSM-7", 0, 0, ""),
            ("short", "Hi! Is it for today?", "GSM-7", 20, 1, ""),
            ("160 GSM-7", "a" * 160, "GSM-7", 160, 1, ""),
            ("161 GSM-7", "a" * 161, "GSM-7", 161, 2, ""),
            ("306 GSM-7", "a" * 306, "GSM-7", 306, 2, ""),
            ("307 GSM-7", "a" * 307, "GSM-7", 307, 3, ""),
            ("GSM-7 accents", "Café à côté? ñ ü", "UCS-2", 16, 1, "ô"),
            (
                "GSM-7 specials",
                "@£$¥èéùìò Δ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ ¡§¿ äöñüà",
                "GSM-7",
                36,
                1,
                "",
            ),
            ("extension counts twice", "price: 5€ [approx]", "GSM-7", 21, 1, ""),
            ("extension fills 160", "{" * 80, "GSM-7", 160, 1, ""),
            ("extension over 160", "{" * 81, "GSM-7", 162, 2, ""),
            # 152 places then a two-place character: it moves to the next part.
            ("escape not split", "a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2, ""),
            (
                "escape pushes a segment",
                "a" * 152 + "€" + "a" * 152,
                "GSM-7",
                306,
                3,
                "",
            ),
            ("curly quote switches", "It\u2019s ready", "UCS-2", 10, 1, "\u2019"),
            ("70 UCS-2", "\u2019" + "a" * 69, "UCS-2", 70, 1, "\u2019"),
            ("71 UCS-2", "\u2019" + "a" * 70, "UCS-2", 71, 2, "\u2019"),
            ("134 UCS-2", "\u2019" + "a" * 133, "UCS-2", 134, 2, "\u2019"),
            ("135 UCS-2", "\u2019" + "a" * 134, "UCS-2", 135, 3, "\u2019"),
            ("emoji takes two units", "Thanks 🙂", "UCS-2", 9, 1, "🙂"),
            (
                "surrogate pair not split",
                "\u2019" + "a" * 65 + "🙂" + "a" * 5,
                "UCS-2",
                73,
                2,
                "\u2019🙂",
            ),
            ("unique and ordered", "🙂 \u2019 🙂 \u2019", "UCS-2", 9, 1, "🙂\u2019"),
        ]
        for name, text, encoding, length, segments, ucs2_chars in cases:
            with self.subTest(name):
                info = sms_segments.analyze(text)
                self.assertEqual(info.encoding, encoding)
                self.assertEqual(info.length, length)
                self.assertEqual(info.segments, segments)
                self.assertEqual(info.ucs2_chars, ucs2_chars)

    def test_per_segment(self):
        self.assertEqual(sms_segments.analyze("a" * 100).per_segment, 160)
        self.assertEqual(sms_segments.analyze("a" * 200).per_segment, 153)
        self.assertEqual(sms_segments.analyze("🙂").per_segment, 70)
        self.assertEqual(sms_segments.analyze("🙂" * 40).per_segment, 67)

    def test_fills_segment(self):
        cases = [
            ("a" * 160, True),
            ("a" * 153, True),
            ("a" * 152, True),
            ("a" * 151, False),
            ("a" * 161, False),
            ("\u2019" * 70, True),
            ("\u2019" * 67, True),
            ("\u2019" * 60, False),
            ("Hi, need a quote", False),
        ]
        for text, expected in cases:
            with self.subTest(length=len(text)):
                self.assertEqual(sms_segments.fills_segment(text), expected)
