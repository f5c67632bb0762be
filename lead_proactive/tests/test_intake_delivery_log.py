# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The delivery log of the lead-source webhooks, over real HTTP: rejected
deliveries keep the platform lead id and a readable body, and a source's
buttons open its leads and its deliveries."""

import json

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ProactiveCase
from .test_intake_adapters import GENERIC_LEAD

CONTROLLER_LOGGER = "odoo.addons.lead_proactive.controllers.intake"


def google_batch(*ids):
    """Return a Google Local Services batch of phone-only leads with these ids."""
    leads = [
        {
            "resource_name": "customers/1234567890/localServicesLeads/%s" % lead_id,
            "id": lead_id,
            "service_id": "local_moving",
            "contact_details": {"phone_number": "+1415555%04d" % index},
            "lead_type": "PHONE_CALL",
        }
        for index, lead_id in enumerate(ids)
    ]
    return {"account_time_zone": "America/Los_Angeles", "leads": leads}


@tagged("lead_proactive", "lead_proactive_intake", "post_install", "-at_install")
class TestIntakeDeliveryLog(ProactiveCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Source = cls.env["proactive.intake.source"]
        cls.Event = cls.env["proactive.intake.event"]
        cls.sources = {}
        cls.tokens = {}
        for adapter in ("google_lsa", "angi", "generic"):
            source = cls.Source.create(
                {
                    "name": "Test %s" % adapter,
                    "adapter": adapter,
                    "team_id": cls.team.id,
                    "time_zone": "America/Los_Angeles",
                }
            )
            action = source.action_generate_token()
            cls.sources[adapter] = source
            cls.tokens[adapter] = cls.env[action["res_model"]].browse(action["res_id"]).token

    def deliver(self, adapter, body, expected_status=200, raw=None):
        """Post ``body`` (or the ``raw`` text) to the source of ``adapter``
        and return the response."""
        response = self.url_open(
            "/lead_proactive/intake/%s" % self.sources[adapter].id,
            data=raw if raw is not None else json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Bearer %s" % self.tokens[adapter],
            },
        )
        self.assertEqual(response.status_code, expected_status, response.text)
        return response

    def events(self, adapter, state):
        return self.Event.search(
            [("source_id", "=", self.sources[adapter].id), ("state", "=", state)]
        )

    @mute_logger(CONTROLLER_LOGGER)
    def test_rejected_delivery_keeps_lead_id(self):
        body = {"external_id": "be-1", "name": "Bea"}
        answer = self.deliver("generic", body, expected_status=400).json()
        self.assertEqual(
            answer["error"], "Missing contact: an email address or a phone number is required."
        )
        self.assertEqual(answer["field"], "email")
        rejected = self.events("generic", "rejected")
        self.assertEqual(rejected.external_id, "be-1")
        self.assertEqual(rejected.display_name, "be-1")
        self.assertEqual(rejected.payload_display, json.dumps(body, indent=2))

        answer = self.deliver(
            "generic", dict(GENERIC_LEAD, external_id="b e"), expected_status=400
        ).json()
        self.assertEqual(
            answer["error"], "Invalid external_id: use only letters, digits and . : / @ + _ -."
        )

        batch = google_batch("221")
        batch["leads"].append({"id": "222", "contact_details": {"phone_number": "x"}})
        self.deliver("google_lsa", batch, expected_status=400)
        self.assertEqual(self.events("google_lsa", "rejected").external_id, "222")

        self.deliver("angi", None, expected_status=400, raw='{"leadOid": ')
        unreadable = self.events("angi", "rejected")
        self.assertFalse(unreadable.external_id)
        self.assertTrue(unreadable.display_name.startswith("Test angi, Rejected, "))
        self.assertEqual(unreadable.payload_display, '{"leadOid": ', "invalid JSON stays as sent")

    def test_source_buttons_open_leads_and_deliveries(self):
        source = self.sources["google_lsa"]
        body = google_batch("111", "112")
        self.deliver("google_lsa", body)
        self.deliver("google_lsa", body)
        source.invalidate_recordset(["lead_count", "event_count"])
        self.assertEqual(source.lead_count, 2)
        self.assertEqual(source.event_count, 4)

        action = source.action_view_leads()
        self.assertEqual(action["res_model"], "crm.lead")
        leads = self.env["crm.lead"].with_context(active_test=False).search(action["domain"])
        self.assertEqual(sorted(leads.mapped("proactive_external_ref")), ["111", "112"])
        deliveries = self.Event.search(source.action_view_events()["domain"])
        self.assertEqual(len(deliveries), 4)

        # A deleted lead is no longer counted.
        leads[0].unlink()
        source.invalidate_recordset(["lead_count"])
        self.assertEqual(source.lead_count, 1)

    def test_delivery_form_shows_request_body(self):
        arch = self.Event.get_view(view_type="form")["arch"]
        self.assertIn('name="payload_display"', arch)
        self.assertIn("Request Body", arch)
        self.assertIn("font-monospace", arch)
        form = self.env["proactive.intake.source"].get_view(view_type="form")["arch"]
        self.assertIn('name="action_view_leads"', form)
        self.assertIn('name="action_view_events"', form)
