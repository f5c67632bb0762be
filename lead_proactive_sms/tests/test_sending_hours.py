# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tests of the NANP lookups and the sending-window arithmetic (no database)."""

import datetime
import zoneinfo

from odoo.tests import BaseCase, tagged

from ..tools import nanp, sending_hours
from .common import load_sample

UTC = datetime.UTC
FEDERAL = sending_hours.hours_window(8, 21)


def utc(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def constraints_for(number, zip_code, window=FEDERAL):
    """Build the (zone, window) pairs the way crm.lead does for a lead with
    this number and ZIP code: both places count, with their state rules."""
    result = []
    places = [
        (nanp.area_code_region(number), nanp.area_code_zones(number)),
        (nanp.zip_state(zip_code), nanp.zip_zones(zip_code)),
    ]
    for state, zones in places:
        place_window = window
        if state in sending_hours.STATE_WINDOWS:
            place_window = window.intersect(sending_hours.STATE_WINDOWS[state])
        result.extend((zoneinfo.ZoneInfo(zone), place_window) for zone in zones)
    return result


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestNanp(BaseCase):
    def test_area_codes(self):
        cases = [
            ("+16175550142", "MA", ("America/New_York",)),
            ("+13055550147", "FL", ("America/New_York",)),
            ("+14155550123", "CA", ("America/Los_Angeles",)),
            ("+15125550188", "TX", ("America/Chicago",)),
            ("+19155550100", "TX", ("America/Denver",)),
            ("+18505550100", "FL", ("America/New_York", "America/Chicago")),
            ("+18085550100", "HI", ("Pacific/Honolulu",)),
            ("+14165550100", "ON", ("America/Toronto",)),
            ("+16045550100", "BC", ("America/Vancouver",)),
            # Toll free, not a NANP number, invalid and national formats.
            ("+18005550100", None, ()),
            ("+442071838750", None, ()),
            ("+11235550100", None, ()),
            ("6175550142", None, ()),
        ]
        for number, region, zones in cases:
            with self.subTest(number=number):
                self.assertEqual(nanp.area_code_region(number), region)
                self.assertEqual(nanp.area_code_zones(number), zones)

    def test_zip_codes(self):
        cases = [
            ("02139", "MA", ("America/New_York",)),
            ("10001", "NY", ("America/New_York",)),
            ("33130", "FL", ("America/New_York",)),
            ("32501", "FL", ("America/Chicago",)),
            ("78701", "TX", ("America/Chicago",)),
            ("79901", "TX", ("America/Denver",)),
            ("94103", "CA", ("America/Los_Angeles",)),
            ("60601", "IL", ("America/Chicago",)),
            ("85001", "AZ", ("America/Phoenix",)),
            ("99501", "AK", ("America/Anchorage",)),
            ("96813", "HI", ("Pacific/Honolulu",)),
            ("37902", "TN", ("America/New_York",)),
            ("37203", "TN", ("America/Chicago",)),
            ("02139-4307", "MA", ("America/New_York",)),
            ("2139", None, ()),
            ("K1A 0B1", None, ()),
            ("", None, ()),
        ]
        for zip_code, state, zones in cases:
            with self.subTest(zip_code=zip_code):
                self.assertEqual(nanp.zip_state(zip_code), state)
                self.assertEqual(nanp.zip_zones(zip_code), zones)

    def test_zones_exist(self):
        names = set(nanp.REGION_ZONES.values())
        names.update(zone for zones in nanp.AREA_CODE_ZONES.values() for zone in zones)
        names.update(zone for zones in nanp.ZIP3_ZONES.values() for zone in zones)
        for name in sorted(names):
            with self.subTest(zone=name):
                self.assertTrue(zoneinfo.ZoneInfo(name))
        for region in nanp.AREA_CODES:
            with self.subTest(region=region):
                self.assertIn(region, nanp.REGION_ZONES)

    def test_area_codes_unique(self):
        codes = [code for codes in nanp.AREA_CODES.values() for code in codes.split()]
        self.assertEqual(len(codes), len(set(codes)))
        for code in codes:
            self.assertRegex(code, r"^[2-9]\d\d$")


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSendingHours(BaseCase):
    def test_recipient_time_cases(self):
        # (name, number, ZIP, due, expected send time), checked in all the
        # recipient's zones, with DST and the Florida and Texas state hours.
        cases = [
            (
                "Miami 20:15 EDT, Florida ends at 20:00",
                "+13055550147",
                "33130",
                "2025-06-17T00:15:00Z",
                "2025-06-17T12:00:00Z",
            ),
            (
                "New York ZIP 08:30, San Francisco number 05:30",
                "+14155550123",
                "10001",
                "2025-06-17T12:30:00Z",
                "2025-06-17T15:00:00Z",
            ),
            (
                "Austin Sunday 10:30, Texas starts at noon",
                "+15125550188",
                "78701",
                "2025-06-15T15:30:00Z",
                "2025-06-15T17:00:00Z",
            ),
            (
                "Austin Monday 10:30",
                "+15125550188",
                "78701",
                "2025-06-16T15:30:00Z",
                "2025-06-16T15:30:00Z",
            ),
            (
                "Boston 08:30 on the first DST day",
                "+16175550142",
                "02139",
                "2025-03-09T12:30:00Z",
                "2025-03-09T12:30:00Z",
            ),
            (
                "Boston 07:30 on the last DST day",
                "+16175550142",
                "02139",
                "2025-11-02T12:30:00Z",
                "2025-11-02T13:00:00Z",
            ),
            (
                "Boston 20:59 allowed",
                "+16175550142",
                "02139",
                "2025-06-18T00:59:00Z",
                "2025-06-18T00:59:00Z",
            ),
            (
                "Boston 21:00 deferred to the next morning",
                "+16175550142",
                "02139",
                "2025-06-18T01:00:00Z",
                "2025-06-18T12:00:00Z",
            ),
            (
                "Honolulu number, Boston ZIP",
                "+18085550100",
                "02139",
                "2025-06-17T12:00:00Z",
                "2025-06-17T18:00:00Z",
            ),
            (
                "Florida panhandle area code: both zones",
                "+18505550100",
                "32301",
                "2025-06-17T12:30:00Z",
                "2025-06-17T13:00:00Z",
            ),
        ]
        for name, number, zip_code, due, expected in cases:
            with self.subTest(name):
                result = sending_hours.next_allowed_time(
                    utc(due), constraints_for(number, zip_code)
                )
                self.assertEqual(result, utc(expected))

    def test_window_intersection(self):
        texas = sending_hours.STATE_WINDOWS["TX"]
        both = FEDERAL.intersect(texas)
        self.assertEqual(both.days[0], (9 * 60, 21 * 60))
        self.assertEqual(both.days[6], (12 * 60, 21 * 60))
        late = sending_hours.hours_window(21, 23)
        self.assertEqual(FEDERAL.intersect(late).days, (None,) * 7)

    def test_no_common_time(self):
        zone = zoneinfo.ZoneInfo("America/New_York")
        morning = sending_hours.hours_window(8, 9)
        evening = sending_hours.hours_window(20, 21)
        result = sending_hours.next_allowed_time(
            utc("2025-06-17T12:00:00Z"), [(zone, morning), (zone, evening)]
        )
        self.assertIsNone(result)

    def test_invalid_hours(self):
        for start, end in [(9, 8), (8, 8), (-1, 10), (8, 25)]:
            with self.subTest(start=start, end=end):
                with self.assertRaises(ValueError):
                    sending_hours.hours_window(start, end)

    def test_sample_cases(self):
        sample = load_sample("BH-17")
        for case in sample["cases"]:
            if case["kind"] != "followup_touch":
                continue  # the direct reply is tested on crm.lead
            with self.subTest(case["id"]):
                due = utc(case["due_utc"])
                result = sending_hours.next_allowed_time(
                    due, constraints_for(case["to"], case["lead_zip"])
                )
                expected = (
                    utc(case["send_at_utc"]) if case["expect"] == "defer" else due
                )
                self.assertEqual(
                    result, expected, case.get("why") or case["recipient_local"]
                )
