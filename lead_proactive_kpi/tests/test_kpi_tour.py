# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import HttpCase, tagged


# post_install: the tour needs every module's assets and menus loaded.
@tagged("post_install", "-at_install", "lead_proactive_kpi")
class TestKpiTour(HttpCase):
    def test_pivot_from_menu(self):
        source = self.env["utm.source"].create({"name": "KPI Tour Source"})
        self.env["crm.lead"].create(
            {
                "name": "Tour lead",
                "type": "opportunity",
                "source_id": source.id,
                "proactive_arrival_date": self.env.cr.now() - datetime.timedelta(days=1),
                "stage_id": self.env["crm.stage"]._proactive_find("booked").id,
            }
        )
        self.start_tour("/odoo", "lead_proactive_kpi_pivot_tour", login="admin")
