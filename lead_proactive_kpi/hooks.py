# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install-time filling of crm_lead.proactive_arrival_week.

The ORM computes a new stored field lead by lead, which takes hours on a
database with millions of leads. Creating the column first and filling it
with one UPDATE per case makes the ORM skip that computation.
"""

import logging
import time

from odoo.tools import SQL, sql

from .tools import kpi_sql

_logger = logging.getLogger(__name__)


def pre_init_hook(env):
    cr = env.cr
    if sql.column_exists(cr, "crm_lead", "proactive_arrival_week"):
        return
    started = time.monotonic()
    sql.create_column(cr, "crm_lead", "proactive_arrival_week", "date")
    # Companies whose time zone is missing from pg_timezone_names, and leads
    # without a company, use UTC, as res.company.proactive_kpi_tz does.
    cr.execute(
        SQL(
            """
            UPDATE crm_lead lead
               SET proactive_arrival_week = %(week)s
              FROM res_company company
              JOIN res_partner partner ON partner.id = company.partner_id
              LEFT JOIN pg_timezone_names zone ON zone.name = partner.tz
             WHERE company.id = lead.company_id
            """,
            week=kpi_sql.arrival_week("lead", SQL("COALESCE(zone.name, 'UTC')")),
        )
    )
    cr.execute(
        SQL(
            "UPDATE crm_lead lead SET proactive_arrival_week = %s WHERE lead.company_id IS NULL",
            kpi_sql.arrival_week("lead", SQL("'UTC'")),
        )
    )
    _logger.info(
        "Filled the arrival week of existing leads in %.1fs", time.monotonic() - started
    )
