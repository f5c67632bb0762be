# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.addons.lead_proactive.tests.common import ProactiveCase

# The week of the fixed data set: Monday 9 June 2025 in America/Chicago,
# the main company's time zone (UTC-5 in June).
WEEK = datetime.date(2025, 6, 9)
PREVIOUS_WEEK = datetime.date(2025, 6, 2)
NEXT_WEEK = datetime.date(2025, 6, 16)


class ProactiveKpiCase(ProactiveCase):
    """Base for the KPI tests: the ProactiveCase team and users, a second
    company in Tokyo, and a fixed week of leads with hand-computed figures.

    Week of 9 June 2025 in Chicago, first-reply target 5 minutes:

    ============== ============ ========= ========== ===================
    lead           source       answered  touches    outcome
    ============== ============ ========= ========== ===================
    silent         Craigslist   120 s     1 sent     no reply, New
    recovered      Website      240 s     2 sent     follow-up replied,
                                                     Qualified
    won            Website       60 s     1 sent     replied, won
    lost           Craigslist   600 s     3 sent     no reply, lost
    unanswered     Website      never     none       New; arrives Sunday
                                                     22:00 in Chicago,
                                                     Monday in UTC
    ============== ============ ========= ========== ===================

    Outside the week: ``previous`` (Monday 04:00 UTC, still Sunday in
    Chicago, answered in 30 s) and ``tokyo``, in the Tokyo company, arriving
    at the same instant as ``unanswered`` but in the next week there.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(
            "lead_proactive_kpi.first_reply_target_minutes", "5"
        )
        cls.company_chicago = cls.env.company
        cls.company_tokyo = cls.env["res.company"].create({"name": "KPI Tokyo Movers"})
        cls.company_tokyo.partner_id.tz = "Asia/Tokyo"
        cls.source_craigslist = cls.env.ref("utm.utm_source_craigslist")
        cls.source_website = cls.env.ref("lead_proactive.utm_source_website")
        cls.stage_won = cls.Stage._proactive_find("won")
        cls._create_week_dataset()

    @classmethod
    def _create_week_dataset(cls):
        utc = datetime.datetime
        cls.lead_silent = cls._create_lead(
            "Silent", utc(2025, 6, 10, 15, 0), 120, source=cls.source_craigslist,
            user=cls.user_salesman,
        )
        cls._create_touch(cls.lead_silent, 0)

        cls.lead_recovered = cls._create_lead(
            "Recovered", utc(2025, 6, 10, 16, 0), 240, source=cls.source_website,
            user=cls.user_salesman, stage=cls.stage_qualified, replied=True,
        )
        cls._create_touch(cls.lead_recovered, 0)
        cls._create_touch(cls.lead_recovered, 1, replied=True)

        cls.lead_won = cls._create_lead(
            "Won", utc(2025, 6, 11, 14, 0), 60, source=cls.source_website,
            user=cls.user_sales_manager, replied=True,
        )
        cls._create_touch(cls.lead_won, 0, replied=True)
        cls.lead_won.action_set_won()

        cls.lead_lost = cls._create_lead(
            "Lost", utc(2025, 6, 12, 14, 0), 600, source=cls.source_craigslist,
            user=cls.user_sales_manager,
        )
        for step in range(3):
            cls._create_touch(cls.lead_lost, step)
        cls.lead_lost.action_set_lost()
        cls.lead_lost.date_closed = utc(2025, 6, 13, 14, 0)

        cls.lead_unanswered = cls._create_lead(
            "Unanswered", utc(2025, 6, 16, 3, 0), None, source=cls.source_website,
        )
        cls.lead_previous = cls._create_lead(
            "Previous week", utc(2025, 6, 9, 4, 0), 30, source=cls.source_website,
        )
        cls.lead_tokyo = cls._create_lead(
            "Tokyo", utc(2025, 6, 16, 3, 0), 90, source=cls.source_website,
            company=cls.company_tokyo, team=False,
        )
        cls.week_leads = (
            cls.lead_silent | cls.lead_recovered | cls.lead_won | cls.lead_lost
            | cls.lead_unanswered
        )

    @classmethod
    def _create_lead(cls, name, arrival, response_seconds, source=None, user=None,
                     stage=None, replied=False, company=None, team=None, **values):
        """Create a lead that arrived at ``arrival`` (naive UTC) and got its
        first reply ``response_seconds`` later (None: not answered). ``team``
        None means the test team, False no team."""
        if team is None:
            team = cls.team
        values.update(
            {
                "name": name,
                "type": "opportunity",
                "email_from": "%s@example.net" % name.lower().replace(" ", "."),
                "proactive_arrival_date": arrival,
                "source_id": source.id if source else False,
                "user_id": user.id if user else False,
                "team_id": team.id if team else False,
                "company_id": (company or cls.company_chicago).id,
                "stage_id": (stage or cls.stage_new).id,
                "proactive_replied": replied,
            }
        )
        if response_seconds is not None:
            values["proactive_first_response_date"] = arrival + datetime.timedelta(
                seconds=response_seconds
            )
            values["proactive_first_response_seconds"] = response_seconds
        return cls.env["crm.lead"].create(values)

    @classmethod
    def _create_touch(cls, lead, step, replied=False, template=None, state="sent"):
        return cls.env["proactive.touch"].create(
            {
                "lead_id": lead.id,
                "step": step,
                "kind": "instant_reply" if step == 0 else "followup",
                "state": state,
                "replied": replied,
                "mail_template_id": template.id if template else False,
                "date": lead.proactive_arrival_date,
            }
        )
