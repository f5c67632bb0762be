# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Carry an archived booking confirmation rule over to the company setting.

Version 19.0.1.2.0 replaced the automation rule "Lead automation: confirm
bookings" by the "Confirm Bookings" setting of each company. The rule is
still in the database when this script runs (Odoo removes records dropped
from the data files after every module is loaded), so an administrator who
archived it keeps the confirmations switched off.
"""


def migrate(cr, version):
    cr.execute(
        """
        SELECT rule.active
          FROM base_automation rule
          JOIN ir_model_data xmlid
            ON xmlid.model = 'base.automation' AND xmlid.res_id = rule.id
         WHERE xmlid.module = 'lead_proactive'
           AND xmlid.name = 'base_automation_booking_confirmation'
        """
    )
    row = cr.fetchone()
    if row and not row[0]:
        cr.execute("UPDATE res_company SET proactive_booking_confirmation = FALSE")
