# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A webhook lead lands in a sales team, with the type the team's alias gives
emailed leads, even when its source names no team."""

from odoo.tests import tagged

from odoo.addons.lead_proactive.tools.intake_adapters import parse_payload

from .common import ProactiveCase

PAYLOAD = {
    "external_id": "form-1",
    "name": "Riley S.",
    "email": "riley.s@example.net",
    "zip": "02139",
    "message": "Need movers tomorrow",
}


@tagged("lead_proactive", "post_install", "-at_install")
class TestIntakeTeam(ProactiveCase):
    def create_from_webhook(self, source):
        [data] = parse_payload("generic", PAYLOAD)
        with self.mock_mail_gateway():
            lead, _message = self.env["crm.lead"]._proactive_intake_create_lead(source, data)
        return lead

    def test_source_team_and_alias_type(self):
        self.team.sudo().alias_defaults = "{'type': 'opportunity'}"
        source = self.env["proactive.intake.source"].create(
            {"name": "Form", "adapter": "generic", "team_id": self.team.id}
        )
        lead = self.create_from_webhook(source)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.type, "opportunity")

    def test_lead_type_from_alias(self):
        self.team.sudo().alias_defaults = "{'type': 'lead'}"
        source = self.env["proactive.intake.source"].create(
            {"name": "Form", "adapter": "generic", "team_id": self.team.id}
        )
        self.assertEqual(self.create_from_webhook(source).type, "lead")

    def test_source_without_team_uses_default_team(self):
        source = self.env["proactive.intake.source"].create({"name": "Form", "adapter": "generic"})
        expected = self.env["crm.team"].sudo()._get_default_team_id(
            domain=[("company_id", "in", [source.company_id.id, False])]
        )
        self.assertTrue(expected, "the database has a sales team")
        lead = self.create_from_webhook(source)
        self.assertEqual(lead.team_id, expected)
        self.assertTrue(lead.user_id or not expected.user_id, "the team leader takes an unassigned lead")
