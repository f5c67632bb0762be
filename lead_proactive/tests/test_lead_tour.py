# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged


# post_install: the browser needs the assets of every installed module.
@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadTour(HttpCase):
    def test_high_intent_lead_form(self):
        admin = self.env.ref("base.user_admin")
        team = self.env["crm.team"].create(
            {"name": "Tour Team", "user_id": admin.id, "use_leads": True, "use_opportunities": True}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Dana Whitfield - ready to pay today",
                "type": "opportunity",
                "user_id": admin.id,
                "team_id": team.id,
                "email_from": "dana.whitfield@example.net",
                "description": "<p>Can I pay today? What's the address?</p>",
            }
        )
        self.assertEqual(lead.sla_target, "first_reply")
        # Run the check as the cron would at the deadline: breached and escalated.
        counts, error = lead._sla_check_batch(lead.sla_deadline)
        self.assertIsNone(error)
        self.assertEqual(counts["breached"], 1)
        self.assertEqual(lead.sla_status, "breached")

        has_handoff = "proactive_handoff_summary" in self.env["crm.lead"]._fields
        if has_handoff:
            # NOTE: written directly here. If routing computes the summary
            # without an inverse, route the lead instead.
            lead.proactive_handoff_summary = "<p>High intent: asked to pay today.</p>"
        tour = "lead_proactive_lead_form_handoff" if has_handoff else "lead_proactive_lead_form"
        self.start_tour("/odoo/action-crm.crm_lead_action_pipeline", tour, login="admin")
