"""Table-driven tests of the qualification parser, without database.

Every row is a phrasing as customers write it. Unless a row sets its own
reference time, the message arrives on Wednesday 2025-06-11 at 19:45 in
Chicago, which is already Thursday in UTC. The coming Sunday is then
2025-06-15, and next week runs from 2025-06-16 to 2025-06-22.
"""

import datetime
import json
import os
import pathlib
import zoneinfo

from odoo.tests import BaseCase, tagged

from ..tools.lead_parser import LATER, NEED_MAX_LENGTH, THIS_WEEK, TODAY, parse_message

CHICAGO = zoneinfo.ZoneInfo('America/Chicago')
WEDNESDAY_EVENING = datetime.datetime(2025, 6, 11, 19, 45, tzinfo=CHICAGO)
SATURDAY_NIGHT = datetime.datetime(2025, 6, 14, 23, 30, tzinfo=CHICAGO)
SUNDAY_MORNING = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=CHICAGO)
LAST_DAY_OF_JUNE = datetime.datetime(2025, 6, 30, 9, 0, tzinfo=CHICAGO)
DECEMBER_EVENING = datetime.datetime(2025, 12, 20, 18, 0, tzinfo=CHICAGO)

SAMPLES_DIR_VARIABLE = 'PROACTIVE_SAMPLES_DIR'
SAMPLE_PHRASES_PATH = pathlib.Path('json', 'BH-21_timeline_phrases.json')

KNOWN_CITIES = ('Round Rock', 'Austin', 'Cambridge', 'Pflugerville', 'Mobile')


def day(month, day_of_month, year=2025):
    return datetime.date(year, month, day_of_month)


# (text, bucket, first day, last day of a range, ambiguous)
TIMELINE_CASES = [
    ('today', TODAY, day(6, 11), None, False),
    ('Can you come today?', TODAY, day(6, 11), None, False),
    ('tonight if possible', TODAY, day(6, 11), None, False),
    ('this afternoon would be great', TODAY, day(6, 11), None, False),
    ('asap', TODAY, None, None, False),
    ('can pick it up today after 5. Can I pay today?', TODAY, day(6, 11), None, False),
    ('this wknd if possible. Can I pay today?', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('need this done a.s.a.p. please', TODAY, None, None, False),
    ('Please send someone right away', TODAY, None, None, False),
    ('can someone come right now? water everywhere', TODAY, None, None, False),
    ('URGENT - basement is flooding', TODAY, None, None, False),
    ("it's an emergency", TODAY, None, None, False),
    ('as soon as possible', TODAY, None, None, False),
    ('tmrw after 5', THIS_WEEK, day(6, 12), None, False),
    ('tmr works for me', THIS_WEEK, day(6, 12), None, False),
    ('2moro?', THIS_WEEK, day(6, 12), None, False),
    ('tomorrow morning', THIS_WEEK, day(6, 12), None, False),
    ('tomorow if you can', THIS_WEEK, day(6, 12), None, False),
    ('mañana', THIS_WEEK, day(6, 12), None, False),
    ('manana por favor', THIS_WEEK, day(6, 12), None, False),
    ('the day after tomorrow', THIS_WEEK, day(6, 13), None, False),
    ('this week', THIS_WEEK, day(6, 12), day(6, 15), False),
    ('sometime later this week', THIS_WEEK, day(6, 12), day(6, 15), False),
    ('this wknd', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('this weekend works', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('weekend?', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('can you do it over the weekend?', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('by the end of the week', THIS_WEEK, day(6, 13), day(6, 15), False),
    ('next week', LATER, day(6, 16), day(6, 22), False),
    ('early next week', LATER, day(6, 16), day(6, 18), False),
    ('end of next week', LATER, day(6, 20), day(6, 22), False),
    ('next weekend', LATER, day(6, 21), day(6, 22), True),
    ('next tuesday', LATER, day(6, 17), None, True),
    ('next fri', LATER, day(6, 20), None, True),
    ('on tues', LATER, day(6, 17), None, False),
    ('thursday works', THIS_WEEK, day(6, 12), None, False),
    ('on saturday', THIS_WEEK, day(6, 14), None, False),
    ('on sat or sun', THIS_WEEK, day(6, 14), None, False),
    ('Friday?', THIS_WEEK, day(6, 13), None, False),
    ('by friday', THIS_WEEK, day(6, 13), None, False),
    ('wednesday', LATER, day(6, 18), None, True),
    ('this monday', LATER, day(6, 16), None, True),
    ('the 15th', THIS_WEEK, day(6, 15), None, False),
    ('15th is best', THIS_WEEK, day(6, 15), None, False),
    ('on the 20th', LATER, day(6, 20), None, False),
    ('the 5th', LATER, day(7, 5), None, False),
    ('june 15', THIS_WEEK, day(6, 15), None, False),
    ('jun 15th', THIS_WEEK, day(6, 15), None, False),
    ('June 20', LATER, day(6, 20), None, False),
    ('15th of june', THIS_WEEK, day(6, 15), None, False),
    ('July 4th, 2025', LATER, day(7, 4), None, False),
    ('6/15', THIS_WEEK, day(6, 15), None, False),
    ('6/15/2025', THIS_WEEK, day(6, 15), None, False),
    ('6/20', LATER, day(6, 20), None, False),
    ('6/20/25', LATER, day(6, 20), None, False),
    ('2025-06-20', LATER, day(6, 20), None, False),
    ('12/20', LATER, day(12, 20), None, False),
    ('next month', LATER, day(7, 1), day(7, 31), False),
    ('sometime next month', LATER, day(7, 1), day(7, 31), False),
    ('early next month', LATER, day(7, 1), day(7, 10), False),
    ('in 2 weeks', LATER, day(6, 25), None, False),
    ('in two weeks', LATER, day(6, 25), None, False),
    ('in a couple of days', THIS_WEEK, day(6, 13), None, False),
    ('in a few days', THIS_WEEK, day(6, 14), None, False),
    ('within a week', THIS_WEEK, day(6, 12), day(6, 18), False),
    ('in a month', LATER, day(7, 11), None, False),
    ('end of the month', LATER, day(6, 30), None, False),
    ('by the end of next month', LATER, day(7, 31), None, False),
    ('in july', LATER, day(7, 1), day(7, 31), False),
    ('late july', LATER, day(7, 21), day(7, 31), False),
    ('whenever', LATER, None, None, False),
    ('no rush', LATER, None, None, False),
    ('timing is flexible', LATER, None, None, False),
    ('not urgent, next week is fine', LATER, day(6, 16), day(6, 22), False),
    ('no rush, sometime next month', LATER, day(7, 1), day(7, 31), False),
    ('after the 15th', LATER, day(6, 16), None, False),
    ('not till july', LATER, day(7, 1), None, False),
    ("can't start until next week", LATER, day(6, 16), None, False),
    ('after june 20', LATER, day(6, 21), None, False),
    ('today or tmrw', TODAY, day(6, 11), None, False),
    ('this wknd if possible or next week', THIS_WEEK, day(6, 14), day(6, 15), False),
    ('asap, today if you can', TODAY, day(6, 11), None, False),
    ("I'm free after 5 on thursday", THIS_WEEK, day(6, 12), None, False),
    ('jun 15th at 5:30', THIS_WEEK, day(6, 15), None, False),
    ('6/20 in the afternoon', LATER, day(6, 20), None, False),
    ('moving a piano on Saturday June 21', LATER, day(6, 21), None, False),
    ('next Thursday the 19th', LATER, day(6, 19), None, False),
    ('starting 6/20', LATER, day(6, 20), None, False),
    ('I will be out of town till the 25th', LATER, day(6, 25), None, False),
    ('Need it fixed by Thurs! Tenants move in Fri', THIS_WEEK, day(6, 12), None, False),
    (
        'We moved in last friday, need it fixed by next wed',
        LATER, day(6, 18), None, True,
    ),
]

# (reference, text, bucket, first day, last day of a range)
TIMELINE_REFERENCE_CASES = [
    # Saturday night in Chicago is already Sunday in UTC.
    (SATURDAY_NIGHT, 'tomorrow', THIS_WEEK, day(6, 15), None),
    # Wednesday evening in Chicago is already Thursday in UTC.
    (WEDNESDAY_EVENING, 'today', TODAY, day(6, 11), None),
    (SATURDAY_NIGHT, 'this weekend', THIS_WEEK, day(6, 15), None),
    (SUNDAY_MORNING, 'tomorrow', LATER, day(6, 16), None),
    (SUNDAY_MORNING, 'this week', TODAY, day(6, 15), None),
    (SUNDAY_MORNING, 'next week', LATER, day(6, 16), day(6, 22)),
    (LAST_DAY_OF_JUNE, 'end of the month', TODAY, day(6, 30), None),
    (DECEMBER_EVENING, 'jan 5', LATER, day(1, 5, 2026), None),
]

# Phrases that contain numbers or day names but no timeline.
NO_TIMELINE_CASES = [
    'Can I pay today with Zelle?',
    'ok to pay the deposit today',
    'need a 3/4 inch pipe fitted',
    "we're open 24/7",
    'half off: 1/2 price coupon',
    'bring a 3/8 drill bit',
    'after 5',
    'at 5:30',
    'built in 2025',
    '3rd floor walkup',
    '2nd bathroom needs a new fan',
    '2 bedroom apartment',
    'I may need help with the yard',
    'the sun is killing my lawn',
    'I sat down to write this',
    '2 weeks ago it started leaking',
    'last week the heater broke',
    'since monday the sink leaks',
    'we called on 6/1',
    'order #1215',
    '123 Main St',
    'Available Mon-Fri after 6',
    'Need a walker for the weekends.',
]

# (text, fields that must stay None)
TRAP_CASES = [
    ('123 Main St', ('zip_code', 'budget')),
    ('4500 Burnet Rd', ('zip_code', 'budget')),
    ('12345 Research Blvd, Austin', ('zip_code', 'budget')),
    ('call 617-555-0142', ('zip_code', 'budget')),
    ('text me at 6175550142', ('zip_code', 'budget')),
    ('order #12345', ('zip_code', 'budget')),
    ('ticket #02139 still open', ('zip_code',)),
    ('unit 10001', ('zip_code',)),
    ('PO Box 12345', ('zip_code',)),
    ('2 bedroom apartment', ('budget', 'zip_code')),
    ('3 rooms for 500', ('budget',)),
    ('we have 20000 sq ft', ('zip_code', 'budget')),
    ('over 10000 customers', ('zip_code', 'budget')),
    ('built in 2025', ('zip_code', 'budget')),
    ('1/2 price coupon', ('budget',)),
    ('$95/hr', ('budget',)),
    ('we charge $95 an hour', ('budget',)),
    ('$1,500/month', ('budget',)),
    ('1,234.56', ('budget',)),
    ('2k sq ft house', ('budget',)),
    ('under 2k miles on it', ('budget',)),
    ('at 5:30', ('zip_code', 'budget')),
    ('save $50 if I book now', ('budget',)),
    ('We paid 12000 for the last roof', ('zip_code', 'budget')),
    ('reach me on 07700 900123', ('zip_code',)),
]

# (text, zip code)
ZIP_CASES = [
    ('zip 02139', '02139'),
    ('Zip code: 07030', '07030'),
    ("I'm in 02139", '02139'),
    ('Cambridge, MA 02139', '02139'),
    ('Hoboken NJ 07030', '07030'),
    ('zip is 78664-1234', '78664'),
    ('4500 Burnet Rd, Austin, TX 78758', '78758'),
    ('call 617 555 0163, zip 02140', '02140'),
    ("we're in 10001", '10001'),
    ('12345 Research Blvd 78759', '78759'),
    ('in the 02139 area', '02139'),
    ('78664', '78664'),
    ('ticket #55555, my zip is 02139', '02139'),
    ('zip:02139', '02139'),
    ('Cambridge MA, 02139', '02139'),
    ('zip 02139 budget 2k', '02139'),
]

# (text, budget)
BUDGET_CASES = [
    ('$1.2k', 1200.0),
    ('$54K', 54000.0),
    ('budget 1,234.56', 1234.56),
    ('$1,234.56', 1234.56),
    ('1,234.56 dollars', 1234.56),
    ('budget around $1,500', 1500.0),
    ('under 2k', 2000.0),
    ('around 5k', 5000.0),
    ('2 000 €', 2000.0),
    ('1.500,50 €', 1500.5),
    ('€750', 750.0),
    ('500$', 500.0),
    # A range gives its upper bound.
    ('$800-1000', 1000.0),
    ('between $800 and $1,200', 1200.0),
    ('1-2k budget', 2000.0),
    ('5 grand max', 5000.0),
    ('my budget is 1500', 1500.0),
    ('can spend up to $3,000', 3000.0),
    ('paid $300 last time but budget is $500', 500.0),
    ('$95 per hour is too much, budget $2k total', 2000.0),
    ('price range 1500 to 2000', 2000.0),
    ('Budget: $3-4k', 4000.0),
    ('Kitchen remodel, $25k-$30k', 30000.0),
    ('zip 02139 budget 2k', 2000.0),
]

# (text, default country code, phone)
PHONE_CASES = [
    ('(617) 555-0142', '1', '+16175550142'),
    ('617 555 0163', '1', '+16175550163'),
    ('617.555.0163', '1', '+16175550163'),
    ('+1 617-555-0142', '1', '+16175550142'),
    ('6175550142', '1', '+16175550142'),
    ('1-617-555-0142', '1', '+16175550142'),
    ('cell: 617-555-0142 ext 4', '1', '+16175550142'),
    ('call me at 617-555-0142 or 617-555-0199', '1', '+16175550142'),
    ('+44 20 7946 0958', '1', '+442079460958'),
    ('+1 (617) 555-0142', '44', '+16175550142'),
    ('(123) 456-7890', '1', None),
    ('no phone here, zip 02139', '1', None),
]

# (text, known cities, city)
CITY_CASES = [
    ("I'm in round rock", KNOWN_CITIES, 'Round Rock'),
    ('Round Rock.', KNOWN_CITIES, 'Round Rock'),
    ('moving to austin next month', KNOWN_CITIES, 'Austin'),
    ('we are near PFLUGERVILLE', KNOWN_CITIES, 'Pflugerville'),
    ('123 Austin Ave', KNOWN_CITIES, None),
    ('Round Rock.', (), None),
    ("we're in Cambridge and need a cleaner", (), 'Cambridge'),
    ('located in Round Rock, TX', (), 'Round Rock'),
    ('in Austin, Texas', (), 'Austin'),
    ('moving from Boston next week', (), 'Boston'),
    ('Cambridge, MA 02139', (), 'Cambridge'),
    ('5 Main St Cambridge, MA 02139', (), 'Cambridge'),
    ("I'm in Cambridge MA", (), 'Cambridge'),
    ("I'm in a hurry", (), None),
    ("I'm in Texas", (), None),
    ("we're in Sales", (), None),
    ('Austin is my name', (), None),
    ('My mobile is 617 555 0199', KNOWN_CITIES, None),
    ('austin.', KNOWN_CITIES, 'Austin'),
    ('1600 Pennsylvania Ave NW, Washington, DC 20500', (), 'Washington'),
]

# (text, need)
NEED_CASES = [
    (
        'Hi, I need a plumber to fix a leaking sink. Thanks!',
        'I need a plumber to fix a leaking sink.',
    ),
    (
        'Looking for a quote on a 2 bedroom move.',
        'Looking for a quote on a 2 bedroom move.',
    ),
    ('How much to install a ceiling fan?', 'How much to install a ceiling fan?'),
    (
        'Hello there - can you help with gutter cleaning asap?',
        'Can you help with gutter cleaning asap?',
    ),
    (
        'We just bought a house. Need the AC installed before July. Call me.',
        'Need the AC installed before July.',
    ),
    (
        "Hey can you fix my garage door? It's stuck.",
        'Hey can you fix my garage door?',
    ),
    (
        'Are you available Saturday for a move from 123 Main St. to Oak Ave?',
        'Are you available Saturday for a move from 123 Main St. to Oak Ave?',
    ),
    (
        'need someone a.s.a.p. to fix the AC',
        'Need someone a.s.a.p. to fix the AC',
    ),
    ('Thanks, John', None),
    ('617-555-0142', None),
]

# (text, known cities, expected fields)
MESSAGE_CASES = [
    (
        (
            "Hi! We're moving from Boston to Austin next month. Need a quote for a "
            "2 bedroom apartment, budget around $1,500. Call me at (617) 555-0142."
        ),
        (),
        {
            'city': 'Boston',
            'zip_code': None,
            'timeline': LATER,
            'timeline_date': day(7, 1),
            'timeline_date_end': day(7, 31),
            'budget': 1500.0,
            'phone': '+16175550142',
            'need': 'Need a quote for a 2 bedroom apartment, budget around $1,500.',
        },
    ),
    (
        (
            'Water heater is leaking!! Need someone today.\n'
            '4500 Burnet Rd, Austin, TX 78758\n512-555-0199'
        ),
        (),
        {
            'city': 'Austin',
            'zip_code': '78758',
            'timeline': TODAY,
            'timeline_date': day(6, 11),
            'budget': None,
            'phone': '+15125550199',
            'need': 'Need someone today.',
        },
    ),
    (
        'Round Rock. Next tues works, budget is $54K',
        KNOWN_CITIES,
        {
            'city': 'Round Rock',
            'zip_code': None,
            'timeline': LATER,
            'timeline_date': day(6, 17),
            'timeline_ambiguous': True,
            'budget': 54000.0,
        },
    ),
    (
        (
            'Hi,\nCould you give me a price for moving a piano from 12 Elm St to '
            '4500 Burnet Rd, Austin TX 78756 on Saturday June 21? My budget is '
            'around $600.\nThanks!\nTom\n(512) 555-0177'
        ),
        KNOWN_CITIES,
        {
            'city': 'Austin',
            'zip_code': '78756',
            'timeline': LATER,
            'timeline_date': day(6, 21),
            'budget': 600.0,
            'phone': '+15125550177',
        },
    ),
]


def parse_expected_days(expected):
    """Read "A", "A..B" or "A.." into (first day, last day, open-ended)."""
    if expected is None:
        return None, None, False
    first, separator, last = expected.partition('..')
    first_day = datetime.date.fromisoformat(first)
    if not separator:
        return first_day, None, False
    if not last:
        return first_day, None, True
    return first_day, datetime.date.fromisoformat(last), False


@tagged('lead_proactive', 'lead_proactive_parser')
class TestLeadParser(BaseCase):

    def test_timeline_phrases(self):
        for text, bucket, first_day, last_day, ambiguous in TIMELINE_CASES:
            with self.subTest(text=text):
                result = parse_message(text, WEDNESDAY_EVENING)
                self.assertEqual(result.timeline, bucket)
                self.assertEqual(result.timeline_date, first_day)
                self.assertEqual(result.timeline_date_end, last_day)
                self.assertEqual(result.timeline_ambiguous, ambiguous)

    def test_timeline_reference_local_date(self):
        for reference, text, bucket, first_day, last_day in TIMELINE_REFERENCE_CASES:
            with self.subTest(reference=reference.isoformat(), text=text):
                result = parse_message(text, reference)
                self.assertEqual(result.timeline, bucket)
                self.assertEqual(result.timeline_date, first_day)
                self.assertEqual(result.timeline_date_end, last_day)

    def test_timeline_absent(self):
        for text in NO_TIMELINE_CASES:
            with self.subTest(text=text):
                result = parse_message(text, WEDNESDAY_EVENING)
                self.assertIsNone(result.timeline)
                self.assertIsNone(result.timeline_date)
                self.assertIsNone(result.timeline_date_end)

    def test_numbers_that_are_not_values(self):
        for text, fields in TRAP_CASES:
            result = parse_message(text, WEDNESDAY_EVENING)
            for field in fields:
                with self.subTest(text=text, field=field):
                    self.assertIsNone(getattr(result, field))

    def test_zip_codes(self):
        for text, zip_code in ZIP_CASES:
            with self.subTest(text=text):
                result = parse_message(text, WEDNESDAY_EVENING)
                self.assertEqual(result.zip_code, zip_code)

    def test_budgets(self):
        for text, budget in BUDGET_CASES:
            with self.subTest(text=text):
                self.assertEqual(parse_message(text, WEDNESDAY_EVENING).budget, budget)

    def test_phones(self):
        for text, country_code, phone in PHONE_CASES:
            with self.subTest(text=text, default_country_code=country_code):
                result = parse_message(
                    text, WEDNESDAY_EVENING, default_country_code=country_code
                )
                self.assertEqual(result.phone, phone)

    def test_cities(self):
        for text, known_cities, city in CITY_CASES:
            with self.subTest(text=text, known_cities=known_cities):
                result = parse_message(
                    text, WEDNESDAY_EVENING, known_cities=known_cities
                )
                self.assertEqual(result.city, city)

    def test_needs(self):
        for text, need in NEED_CASES:
            with self.subTest(text=text):
                self.assertEqual(parse_message(text, WEDNESDAY_EVENING).need, need)

    def test_need_length_limit(self):
        text = 'We need help with ' + ', '.join(['the fence'] * 40) + '.'
        need = parse_message(text, WEDNESDAY_EVENING).need
        self.assertLessEqual(len(need), NEED_MAX_LENGTH)
        self.assertTrue(need.startswith('We need help with the fence'))
        self.assertTrue(need.endswith('…'))

    def test_whole_messages(self):
        for text, known_cities, expected in MESSAGE_CASES:
            result = parse_message(text, WEDNESDAY_EVENING, known_cities=known_cities)
            for field, value in expected.items():
                with self.subTest(text=text[:40], field=field):
                    self.assertEqual(getattr(result, field), value)

    def test_empty_message(self):
        result = parse_message('   ', WEDNESDAY_EVENING)
        self.assertIsNone(result.timeline)
        self.assertIsNone(result.need)
        self.assertIsNone(result.phone)

    def test_sample_phrase_table(self):
        """Check the timeline phrase table under PROACTIVE_SAMPLES_DIR, if any."""
        folder = os.environ.get(SAMPLES_DIR_VARIABLE)
        if not folder:
            self.skipTest(
                f'{SAMPLES_DIR_VARIABLE} is not set, so the sample phrase table '
                'is not checked'
            )
        path = pathlib.Path(folder) / SAMPLE_PHRASES_PATH
        if not path.is_file():
            self.skipTest(f'sample phrase table not found: {path}')

        table = json.loads(path.read_text(encoding='utf-8'))
        zone = zoneinfo.ZoneInfo(table['lead_tz'])
        reference = datetime.datetime.fromisoformat(table['reference_time'])
        cases = [(reference, case) for case in table['cases']]
        if table.get('tz_edge'):
            edge = table['tz_edge']
            edge_reference = datetime.datetime.fromisoformat(edge['reference_time'])
            cases.append((edge_reference, edge))

        for case_reference, case in cases:
            with self.subTest(text=case['text']):
                result = parse_message(case['text'], case_reference.astimezone(zone))
                first_day, last_day, is_open = parse_expected_days(case['expect_date'])
                self.assertEqual(result.timeline, case['expect_bucket'])
                self.assertEqual(result.timeline_date, first_day)
                if last_day is not None or is_open:
                    self.assertEqual(result.timeline_date_end, last_day)
                else:
                    self.assertIn(result.timeline_date_end, (None, first_day))
