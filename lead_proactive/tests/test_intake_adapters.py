# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lead-source adapters on the sample payloads and on malformed ones."""

import copy
import datetime
import json
import os
import pathlib
import unittest

from odoo.tests import BaseCase, tagged

from ..tools.intake_adapters import IntakeError, find_lead_id, parse_payload

SAMPLES_DIR = os.environ.get("PROACTIVE_SAMPLES_DIR")


def load_sample(case_id):
    """Return the JSON sample whose file name starts with ``case_id``, or
    skip the test when PROACTIVE_SAMPLES_DIR does not point at samples."""
    folder = pathlib.Path(SAMPLES_DIR or "", "json")
    if not SAMPLES_DIR or not folder.is_dir():
        raise unittest.SkipTest("PROACTIVE_SAMPLES_DIR is not set to a samples folder")
    matches = sorted(folder.glob("%s*.json" % case_id))
    if not matches:
        raise unittest.SkipTest("no sample %s in %s" % (case_id, folder))
    return json.loads(matches[0].read_text())


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


ANGI_LEAD = {
    "leadOid": "98765",
    "srOid": "55555",
    "firstName": "Dana",
    "lastName": "Lopez",
    "email": "Dana.Lopez@example.net",
    "primaryPhone": "6175550190",
    "address": "12 Elm St",
    "city": "Somerville",
    "stateProvince": "ma",
    "postalCode": "02143",
    "taskName": "Move - Local",
    "comments": "Two bedroom apartment, moving next Friday",
    "interview": [{"question": "Stairs?", "answer": "Yes, 2 flights"}],
}
YELP_WEBHOOK = {
    "time": "2022-06-09T09:41:14+00:00",
    "object": "business",
    "data": {
        "id": "SoVHhx7Hel_XX0DKCLp72Q",
        "updates": [
            {
                "event_type": "NEW_EVENT",
                "event_id": "IsKxQAYZNqCjvRRmNoiCUw",
                "lead_id": "TbvEUYEi02cmSBmqCjQbkg",
                "interaction_time": "2022-06-09T09:41:13+00:00",
            }
        ],
    },
}
GENERIC_LEAD = {
    "external_id": "form-42",
    "name": "Alex Kim",
    "email": "alex.kim@example.org",
    "phone": "+1 512 555 0101",
    "zip": "78701",
    "message": "Need 2 movers this Saturday",
    "source": "Website",
}


@tagged("lead_proactive", "lead_proactive_intake")
class TestIntakeAdapters(BaseCase):
    def assertRejected(self, adapter, payload, field):
        with self.assertRaises(IntakeError) as caught:
            parse_payload(adapter, payload, default_tz="America/Chicago")
        self.assertEqual(caught.exception.field, field, caught.exception)

    # ------------------------------------------------------------
    # Thumbtack
    # ------------------------------------------------------------
    def test_thumbtack_sample(self):
        body = load_sample("SD-02")["body"]
        [lead] = parse_payload("thumbtack", body)
        self.assertEqual(lead.lead_id, "000000000000000001")
        self.assertEqual(lead.request_id, "000000000000000002")
        # A string epoch, read as UTC.
        self.assertEqual(lead.created, utc(2025, 6, 13, 22, 20, 56))
        self.assertEqual(lead.zip_code, "02139")
        self.assertEqual(lead.city, "Cambridge")
        self.assertEqual(lead.tz, "America/New_York")
        self.assertEqual(lead.name, "Riley S.")
        self.assertEqual(lead.phone, "+16175550164")
        self.assertIsNone(lead.email)
        self.assertEqual(lead.need, "Local Moving (under 50 miles)")
        self.assertEqual(lead.reply_channel, "platform")
        self.assertIn("Dates: Jun 14, Jun 15", lead.message)
        self.assertIn("Stairs: 3rd floor, no elevator", lead.message)
        # The pro's quoted price is kept as text, never in the parsed message.
        self.assertNotIn("$95", lead.message)
        self.assertIn(("Quoted price", "$95/hour"), lead.details)

    def test_thumbtack_malformed(self):
        body = load_sample("SD-02")["body"]
        cases = [
            ("leadID", None, "leadID"),
            ("createTimestamp", "yesterday", "createTimestamp"),
            ("customer", "Riley", "customer"),
        ]
        for key, value, field in cases:
            with self.subTest(key=key):
                broken = copy.deepcopy(body)
                broken[key] = value
                self.assertRejected("thumbtack", broken, field)
        broken = copy.deepcopy(body)
        broken["customer"]["phone"] = "call me"
        self.assertRejected("thumbtack", broken, "customer.phone")
        broken = copy.deepcopy(body)
        broken["request"]["location"]["zipCode"] = 2139
        self.assertRejected("thumbtack", broken, "request.location.zipCode")
        broken = copy.deepcopy(body)
        broken["request"]["details"] = [{"question": "Stairs", "answer": 3}]
        self.assertRejected("thumbtack", broken, "request.details[0].answer")
        self.assertRejected("thumbtack", [body], None)

    def test_thumbtack_display_name(self):
        body = copy.deepcopy(load_sample("SD-02")["body"])
        body["customer"] = {"customerID": "3", "displayName": "Olivia Y.", "phone": "+16175550164"}
        [lead] = parse_payload("thumbtack", body)
        self.assertEqual(lead.name, "Olivia Y.")

    def test_thumbtack_empty_description(self):
        body = copy.deepcopy(load_sample("SD-02")["body"])
        body["request"]["description"] = ""
        body["request"]["details"] = []
        [lead] = parse_payload("thumbtack", body)
        self.assertTrue(lead.message.startswith("Local Moving"))

    # ------------------------------------------------------------
    # Google Local Services
    # ------------------------------------------------------------
    def test_google_lsa_sample(self):
        sample = load_sample("SD-04")
        message_lead, call_lead = parse_payload("google_lsa", sample)
        # No offset: the Ads account's time zone (PDT, UTC-7) applies.
        self.assertEqual(message_lead.created.astimezone(datetime.UTC), utc(2025, 6, 15, 4, 5))
        self.assertEqual(call_lead.created.astimezone(datetime.UTC), utc(2025, 6, 15, 4, 7, 30))
        self.assertEqual(message_lead.lead_id, "111")
        self.assertEqual(message_lead.name, "Sam K.")
        self.assertEqual(message_lead.phone, "+14155550166")
        self.assertIsNone(message_lead.email)
        self.assertEqual(message_lead.need, "local moving")
        self.assertIsNone(call_lead.name)
        self.assertFalse(call_lead.has_text)
        self.assertIn("Phone call", call_lead.message)

    def test_google_lsa_conversation_text_and_camel_case(self):
        lead = {
            "id": "113",
            "contactDetails": {"phoneNumber": "+14155550168", "consumerName": "Lee"},
            "leadType": "MESSAGE",
            "creationDateTime": "2025-06-14 21:10:00",
            "conversations": [
                {"participantType": "CONSUMER", "messageDetails": {"text": "Move on Friday?"}},
                {"participantType": "ADVERTISER", "messageDetails": {"text": "Sure"}},
            ],
        }
        [parsed] = parse_payload("google_lsa", lead, default_tz="America/Los_Angeles")
        self.assertEqual(parsed.phone, "+14155550168")
        self.assertEqual(parsed.message, "Move on Friday?")
        self.assertTrue(parsed.has_text)

    def test_google_lsa_conversation_entries(self):
        lead = {
            "id": "114",
            "contact_details": {"phone_number": "+14155550169"},
            "conversations": [
                {
                    "participant_type": "CONSUMER",
                    "event_date_time": "2025-06-14 21:05:00",
                    "message_details": {"text": "Can you move us Saturday?"},
                },
                {"participant_type": "CONSUMER", "message_details": {"text": "2 bedrooms"}},
                {"participant_type": "ADVERTISER", "message_details": {"text": "Yes, 9am?"}},
                {
                    "participant_type": "CONSUMER",
                    "event_date_time": "2025-06-14 21:30:00",
                    "message_details": {"text": "9am works"},
                },
            ],
        }
        [parsed] = parse_payload("google_lsa", lead, default_tz="America/Los_Angeles")

        self.assertEqual(
            [text.text for text in parsed.texts],
            ["Can you move us Saturday?", "2 bedrooms", "9am works"],
        )
        # The consumer's entries before the business replies are the request.
        self.assertEqual([text.request for text in parsed.texts], [True, True, False])
        self.assertTrue(all(text.entry for text in parsed.texts))
        self.assertEqual(parsed.texts[0].date.astimezone(datetime.UTC), utc(2025, 6, 15, 4, 5))
        self.assertIsNone(parsed.texts[1].date)
        self.assertEqual(parsed.message, "Can you move us Saturday?\n\n2 bedrooms\n\n9am works")

        broken = copy.deepcopy(lead)
        broken["conversations"][3]["event_date_time"] = "2025-06-14T21:30"
        self.assertRejected("google_lsa", broken, "conversations[3].event_date_time")

    def test_google_lsa_malformed(self):
        sample = load_sample("SD-04")
        broken = copy.deepcopy(sample)
        broken["leads"][1]["id"] = ""
        self.assertRejected("google_lsa", broken, "leads[1].id")
        broken = copy.deepcopy(sample)
        broken["leads"][0]["creation_date_time"] = "2025-06-14T21:05:00"
        self.assertRejected("google_lsa", broken, "leads[0].creation_date_time")
        broken = copy.deepcopy(sample)
        broken["leads"][0]["contact_details"] = {"phone_number": "", "email": ""}
        self.assertRejected("google_lsa", broken, "leads[0].contact_details.phone_number")
        broken = copy.deepcopy(sample)
        broken["account_time_zone"] = "Mars/Olympus"
        self.assertRejected("google_lsa", broken, "account_time_zone")
        broken = copy.deepcopy(sample)
        del broken["account_time_zone"]
        with self.assertRaises(IntakeError) as caught:
            parse_payload("google_lsa", broken)
        self.assertEqual(caught.exception.field, "account_time_zone")
        self.assertRejected("google_lsa", {"leads": []}, "leads")
        self.assertRejected("google_lsa", {"leads": {"id": "1"}}, "leads")

    # ------------------------------------------------------------
    # Angi, Yelp, generic
    # ------------------------------------------------------------
    def test_angi_lead(self):
        [lead] = parse_payload("angi", ANGI_LEAD)
        self.assertEqual(lead.lead_id, "98765")
        self.assertEqual(lead.request_id, "55555")
        self.assertEqual(lead.name, "Dana Lopez")
        self.assertEqual(lead.email, "dana.lopez@example.net")
        self.assertEqual(lead.state_code, "MA")
        self.assertEqual(lead.tz, "America/New_York")
        self.assertIn("Stairs?: Yes, 2 flights", lead.message)
        self.assertIn(("Address", "12 Elm St"), lead.details)

    def test_angi_malformed(self):
        self.assertRejected("angi", {**ANGI_LEAD, "leadOid": None}, "leadOid")
        self.assertRejected("angi", {**ANGI_LEAD, "email": "not-an-email"}, "email")
        self.assertRejected(
            "angi", {**ANGI_LEAD, "email": None, "primaryPhone": None}, "primaryPhone"
        )
        self.assertRejected("angi", {**ANGI_LEAD, "interview": [1]}, "interview[0]")

    def test_yelp_webhook(self):
        [lead] = parse_payload("yelp", YELP_WEBHOOK)
        self.assertEqual(lead.lead_id, "TbvEUYEi02cmSBmqCjQbkg")
        self.assertEqual(lead.request_id, "IsKxQAYZNqCjvRRmNoiCUw")
        self.assertEqual(lead.created, utc(2022, 6, 9, 9, 41, 13))
        self.assertFalse(lead.has_text)
        self.assertTrue(lead.reports_event)
        self.assertEqual(lead.reply_channel, "platform")

    def test_yelp_with_lead_details(self):
        payload = copy.deepcopy(YELP_WEBHOOK)
        payload["data"]["updates"][0]["lead"] = {
            "user": {"display_name": "Jo B."},
            "temporary_email_address": "jo.abc123@messaging.yelp.com",
            "project": {
                "job_names": ["Local moving"],
                "location": {"postal_code": "94110"},
                "additional_info": "Studio, 3rd floor",
                "survey_answers": [{"question_text": "When?", "answer_text": ["This week"]}],
            },
        }
        [lead] = parse_payload("yelp", payload)
        self.assertEqual(lead.name, "Jo B.")
        self.assertTrue(lead.relay_email)
        self.assertEqual(lead.zip_code, "94110")
        self.assertTrue(lead.has_text)
        self.assertIn("When?: This week", lead.message)

    def test_yelp_malformed(self):
        self.assertRejected("yelp", {"data": {}}, "data.updates")
        self.assertRejected("yelp", {}, "data")
        payload = copy.deepcopy(YELP_WEBHOOK)
        payload["data"]["updates"][0]["interaction_time"] = "2022-06-09 09:41"
        self.assertRejected("yelp", payload, "data.updates[0].interaction_time")

    def test_generic_lead(self):
        [lead] = parse_payload("generic", GENERIC_LEAD, default_tz="America/Chicago")
        self.assertEqual(lead.lead_id, "form-42")
        self.assertEqual(lead.email, "alex.kim@example.org")
        self.assertEqual(lead.source_name, "Website")
        self.assertEqual(lead.tz, "America/Chicago")
        self.assertTrue(lead.has_text)

    def test_generic_without_message(self):
        payload = {key: value for key, value in GENERIC_LEAD.items() if key != "message"}
        [lead] = parse_payload("generic", dict(payload, need="Piano move"))
        self.assertFalse(lead.has_text)
        self.assertEqual(lead.message, "Piano move", "the need is the summary")
        [lead] = parse_payload("generic", payload)
        self.assertEqual(lead.message, "")

    def test_error_texts(self):
        with self.assertRaises(IntakeError) as caught:
            parse_payload("generic", {**GENERIC_LEAD, "email": None, "phone": None})
        self.assertEqual(caught.exception.title, "Missing contact")
        self.assertEqual(caught.exception.message, "an email address or a phone number is required")
        with self.assertRaises(IntakeError) as caught:
            parse_payload("generic", {**GENERIC_LEAD, "external_id": "a b"})
        self.assertIsNone(caught.exception.title)
        self.assertEqual(caught.exception.message, "use only letters, digits and . : / @ + _ -")

    def test_find_lead_id_of_rejected_payload(self):
        batch = {"leads": [{"id": "1"}, {"local_services_lead": {"id": 2}}]}
        cases = [
            ("generic", {"external_id": "be-1", "email": "bad"}, "email", "be-1"),
            ("generic", {"external_id": "b e"}, "external_id", None),
            ("generic", {"external_id": True}, "external_id", None),
            ("thumbtack", {"leadID": "tt-9", "customer": "x"}, "customer", "tt-9"),
            ("angi", {"leadId": 77}, "primaryPhone", "77"),
            ("google_lsa", batch, "leads[1].local_services_lead.contact_details", "2"),
            ("google_lsa", batch, "account_time_zone", None),
            ("google_lsa", {"id": "3"}, "creation_date_time", "3"),
            ("yelp", YELP_WEBHOOK, "data.updates[0].interaction_time", "TbvEUYEi02cmSBmqCjQbkg"),
            ("yelp", {"data": "x"}, "data", None),
            ("generic", ["not", "an", "object"], None, None),
        ]
        for adapter, payload, field, expected in cases:
            with self.subTest(adapter=adapter, field=field):
                self.assertEqual(find_lead_id(adapter, payload, field), expected)

    def test_generic_malformed(self):
        cases = [
            ({"external_id": None}, "external_id"),
            ({"external_id": "a b"}, "external_id"),
            ({"email": None, "phone": None}, "email"),
            ({"phone": ["+15125550101"]}, "phone"),
            ({"name": "x" * 300}, "name"),
            ({"created_at": "2025-06-13 10:00"}, "created_at"),
            ({"message": True}, "message"),
        ]
        for change, field in cases:
            with self.subTest(field=field, change=change):
                self.assertRejected("generic", {**GENERIC_LEAD, **change}, field)
