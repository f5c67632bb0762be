# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged


# post_install: the browser needs the assets of every installed module.
@tagged("lead_proactive", "post_install", "-at_install")
class TestRolloutSettingsTour(HttpCase):
    def test_rollout_settings_page(self):
        self.start_tour(
            "/odoo/action-crm.crm_config_settings_action",
            "lead_proactive_rollout_settings",
            login="admin",
        )
        handoff = self.env["proactive.rollout.item"].search(
            [("company_id", "=", self.env.ref("base.main_company").id),
             ("key", "=", "handoff_trained")]
        )
        self.assertTrue(handoff.manual_done, "the tour ticked the manual item")
