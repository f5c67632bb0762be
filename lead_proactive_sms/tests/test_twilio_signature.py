# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Table tests of the Twilio request signature check (no database)."""

from odoo.tests import BaseCase, tagged

from ..tools import twilio_signature
from .common import AUTH_TOKEN, load_sample

FORM = {
    "AccountSid": "AC00000000000000000000000000000000",
    "ApiVersion": "2010-04-01",
    "Body": "Can I pay today? 02139",
    "From": "+16175550142",
    "FromCity": "CAMBRIDGE",
    "FromCountry": "US",
    "FromState": "MA",
    "FromZip": "02139",
    "MessageSid": "SM33333333333333333333333333333333",
    "NumMedia": "0",
    "NumSegments": "1",
    "SmsMessageSid": "SM33333333333333333333333333333333",
    "SmsSid": "SM33333333333333333333333333333333",
    "SmsStatus": "received",
    "To": "+16175550100",
    "ToCountry": "US",
}
PUBLIC_URL = "https://crm.example.com/lead_sms/twilio/inbound"


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestTwilioSignature(BaseCase):
    def test_twilio_published_vector(self):
        # Known-answer vector, with the token and URL of the twilio-php
        # request validation guide.
        params = {
            "CallSid": "CA1234567890ABCDE",
            "Caller": "+14158675309",
            "Digits": "1234",
            "From": "+14158675309",
            "To": "+18005551212",
        }
        signature = twilio_signature.compute_signature(
            "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params.items()
        )
        self.assertEqual(signature, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")

    def test_signature_cases(self):
        cases = [
            # (what Twilio called, URLs the server tries, params, signature, valid)
            (
                "public https URL",
                [PUBLIC_URL],
                FORM,
                "NXo/nH5s9KQyYj2ju96uIpbqXOM=",
                True,
            ),
            (
                "signed for http, server sees https",
                [PUBLIC_URL],
                FORM,
                "0SqdtLY3K3BzR94uT+Z+8MQNaFc=",
                False,
            ),
            (
                "custom port kept in the signature",
                ["https://crm.example.com:8443/lead_sms/twilio/inbound"],
                FORM,
                "jqxI+2BR+0Tmi9vgKZRXV1u11lg=",
                True,
            ),
            (
                "custom port left out of the signature",
                ["https://crm.example.com:8443/lead_sms/twilio/inbound"],
                FORM,
                "NXo/nH5s9KQyYj2ju96uIpbqXOM=",
                True,
            ),
            (
                "default port added by the server",
                ["https://crm.example.com:443/lead_sms/twilio/inbound"],
                FORM,
                "NXo/nH5s9KQyYj2ju96uIpbqXOM=",
                True,
            ),
            (
                "query string is signed",
                [PUBLIC_URL + "?company=3"],
                FORM,
                "HHqC/0QE13Rp1rr2qustwmH6U7U=",
                True,
            ),
            (
                "query string missing",
                [PUBLIC_URL],
                FORM,
                "HHqC/0QE13Rp1rr2qustwmH6U7U=",
                False,
            ),
            (
                "unknown parameters are signed too",
                [PUBLIC_URL],
                dict(
                    FORM,
                    MessagingServiceSid="MG00000000000000000000000000000000",
                    AddOns='{"status":"successful"}',
                ),
                "fhfZT1Wsb+mmmjMWZLfnwPdUws0=",
                True,
            ),
            (
                "tampered body",
                [PUBLIC_URL],
                dict(FORM, Body="STOP"),
                "NXo/nH5s9KQyYj2ju96uIpbqXOM=",
                False,
            ),
            ("empty signature", [PUBLIC_URL], FORM, "", False),
            (
                "second URL matches",
                ["http://127.0.0.1:8069/lead_sms/twilio/inbound", PUBLIC_URL],
                FORM,
                "NXo/nH5s9KQyYj2ju96uIpbqXOM=",
                True,
            ),
        ]
        for name, urls, params, signature, valid in cases:
            with self.subTest(name):
                self.assertEqual(
                    twilio_signature.is_valid_signature(
                        AUTH_TOKEN, signature, urls, params.items()
                    ),
                    valid,
                )

    def test_repeated_parameters_all_signed(self):
        pairs = [
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("Body", "photos attached"),
            ("From", "+16175550142"),
            ("MediaUrl", "https://media.example.com/a.jpg"),
            ("MediaUrl", "https://media.example.com/b.jpg"),
            ("MessageSid", "SM77777777777777777777777777777777"),
            ("To", "+16175550100"),
        ]
        signature = "7QijeMv4D5ullmNITczTyLSs/mU="
        self.assertTrue(
            twilio_signature.is_valid_signature(
                AUTH_TOKEN, signature, [PUBLIC_URL], pairs
            )
        )
        collapsed = dict(pairs).items()
        self.assertFalse(
            twilio_signature.is_valid_signature(
                AUTH_TOKEN, signature, [PUBLIC_URL], collapsed
            ),
            "a dict keeps one MediaUrl and breaks the signature",
        )

    def test_empty_token_never_matches(self):
        signature = twilio_signature.compute_signature("", PUBLIC_URL, FORM.items())
        self.assertFalse(
            twilio_signature.is_valid_signature(
                "", signature, [PUBLIC_URL], FORM.items()
            )
        )

    def test_port_variants(self):
        cases = [
            (
                "https://a.example.com/x?y=1",
                ["https://a.example.com/x?y=1", "https://a.example.com:443/x?y=1"],
            ),
            (
                "http://a.example.com:8069/x",
                ["http://a.example.com:8069/x", "http://a.example.com/x"],
            ),
            ("http://[::1]:8069/x", ["http://[::1]:8069/x", "http://[::1]/x"]),
            ("ftp://a.example.com/x", ["ftp://a.example.com/x"]),
        ]
        for url, expected in cases:
            with self.subTest(url):
                self.assertEqual(twilio_signature.port_variants(url), expected)

    def test_sample_requests(self):
        sample = load_sample("BH-18")
        token = sample["auth_token_for_test"]
        vector = sample["self_check_vector_from_twilio_python_tests"]
        self.assertEqual(
            twilio_signature.compute_signature(
                vector["token"], vector["url"], vector["params"].items()
            ),
            vector["signature"],
        )
        for request in sample["requests"]:
            if "X-Twilio-Signature" not in request["headers"] or request[
                "expect"
            ].startswith("demonstrates"):
                continue
            pairs = request.get("form_pairs") or list(request["form"].items())
            with self.subTest(request["id"]):
                valid = twilio_signature.is_valid_signature(
                    token,
                    request["headers"]["X-Twilio-Signature"],
                    [request["twilio_called"]],
                    pairs,
                )
                self.assertEqual(
                    valid, request["expect"].startswith("accept"), request["expect"]
                )
