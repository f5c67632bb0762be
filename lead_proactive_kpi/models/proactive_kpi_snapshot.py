# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools import kpi_sql

_logger = logging.getLogger(__name__)

WEEKS_PARAM = "lead_proactive_kpi.snapshot_weeks"
DEFAULT_WEEKS = 8
SCOPES = [
    ("all", "Company"),
    ("team", "Sales Team"),
    ("source", "Source"),
    ("team_source", "Team and Source"),
]


class ProactiveKpiSnapshot(models.Model):
    """Weekly lead response figures per company, team and source, stored.

    Medians and percentiles cannot be added up across pivot cells, so each
    week is stored at four levels (scopes): the whole company, each team, each
    source, and each team and source. A pivot shows exact figures when it is
    filtered on one scope and grouped by that scope's dimensions.
    """

    _name = "proactive.kpi.snapshot"
    _description = "Weekly Lead Response Snapshot"
    _order = "week desc, company_id, scope, team_id, source_id, id"
    _rec_name = "week"

    # ------------------------------------------------------------
    # Dimensions
    # ------------------------------------------------------------
    week = fields.Date(
        string="Week",
        required=True,
        readonly=True,
        index=True,
        help="Monday of the week the leads arrived in, in the company's time zone.",
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True, index=True)
    scope = fields.Selection(
        SCOPES,
        string="Level",
        required=True,
        readonly=True,
        help="What the row sums up: the whole company, one team, one source, "
        "or one team and source. Filter on one level to read exact medians.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)

    # ------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------
    lead_count = fields.Integer(string="Leads", readonly=True)
    responded_count = fields.Integer(string="Answered", readonly=True)
    replied_count = fields.Integer(string="Lead Replied", readonly=True)
    median_response_minutes = fields.Float(
        string="Median First Response (min)",
        readonly=True,
        aggregator="avg",
        help="Median minutes from arrival to the first reply, over the leads "
        "answered. A pivot cell that combines several rows shows their plain "
        "average, which is not a median: filter on one level.",
    )
    p90_response_minutes = fields.Float(
        string="90th Percentile First Response (min)",
        readonly=True,
        aggregator="avg",
        help="Nine in ten answered leads got their first reply within this "
        "many minutes. A pivot cell that combines several rows shows their "
        "plain average: filter on one level.",
    )
    within_sla_count = fields.Integer(string="Answered Within Target", readonly=True)
    within_sla_rate = fields.Float(
        string="Answered Within Target (%)", readonly=True, aggregator="avg"
    )
    qualified_count = fields.Integer(string="Qualified", readonly=True)
    qualified_rate = fields.Float(
        string="Qualified Rate (%)", readonly=True, aggregator="avg"
    )
    booked_count = fields.Integer(string="Booked Next Steps", readonly=True)
    booked_rate = fields.Float(
        string="Booked Rate (%)", readonly=True, aggregator="avg"
    )
    recovered_count = fields.Integer(string="Recovered by Follow-up", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)

    _week_scope_index = models.Index("(week, company_id, scope)")

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_refresh(self):
        """Recompute the recent weeks now, for every company."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only sales administrators can recompute the lead KPI snapshots.")
            )
        self.env["proactive.kpi.snapshot"].sudo()._compute_snapshots(self._recent_weeks())
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # ------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------
    @api.model
    def _recent_weeks(self, today=None):
        """Return the Mondays of the current week and the weeks before it that
        the cron refreshes (system parameter lead_proactive_kpi.snapshot_weeks,
        8 by default), oldest first.

        Leads keep moving after the week they arrived in (they reply, book,
        are won or lost), so past weeks are recomputed for a while.
        """
        raw = self.env["ir.config_parameter"].sudo().get_param(WEEKS_PARAM, "")
        try:
            count = max(1, int(raw)) if raw else DEFAULT_WEEKS
        except ValueError:
            _logger.warning(
                "Invalid system parameter %s=%r: expected a whole number of weeks, "
                "using %s",
                WEEKS_PARAM,
                raw,
                DEFAULT_WEEKS,
            )
            count = DEFAULT_WEEKS
        # Start from the latest local date on Earth (UTC+14), so that the
        # window contains the current week of every company.
        today = today or (self.env.cr.now() + datetime.timedelta(hours=14)).date()
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=n) for n in range(count - 1, -1, -1)]

    @api.model
    def _all_weeks(self):
        """Return every week that has leads, oldest first."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT DISTINCT week FROM proactive_lead_report ORDER BY week")
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _compute_snapshots(self, weeks):
        """Replace the snapshot rows of ``weeks`` (Mondays) for every company."""
        for week in weeks:
            self._compute_week(week)

    @api.model
    def _compute_week(self, week):
        self.search([("week", "=", week)]).unlink()
        # The query reads the view with raw SQL, which does not flush.
        self.env.flush_all()
        kpi_sql.disable_jit(self.env.cr)
        self.env.cr.execute(self._week_query(week))
        columns = [desc[0] for desc in self.env.cr.description]
        vals_list = [dict(zip(columns, row)) for row in self.env.cr.fetchall()]
        return self.create(vals_list)

    @api.model
    def _week_query(self, week):
        """Return the SELECT of one week's rows at every scope."""
        return SQL(
            """
            SELECT report.week,
                   report.company_id,
                   CASE GROUPING(report.team_id, report.source_id)
                        WHEN 0 THEN 'team_source'
                        WHEN 1 THEN 'team'
                        WHEN 2 THEN 'source'
                        ELSE 'all' END AS scope,
                   report.team_id,
                   report.source_id,
                   %(aggregates)s
              FROM proactive_lead_report report
             WHERE report.week = %(week)s
             GROUP BY GROUPING SETS (
                   (report.week, report.company_id, report.team_id, report.source_id),
                   (report.week, report.company_id, report.team_id),
                   (report.week, report.company_id, report.source_id),
                   (report.week, report.company_id))
            """,
            aggregates=self._aggregates_sql("report"),
            week=week,
        )

    @api.model
    def _aggregates_sql(self, alias):
        """Return the select list of the figures over proactive_lead_report
        rows aliased ``alias``, named after this model's fields."""
        column = lambda name: SQL.identifier(alias, name)  # noqa: E731
        return SQL(
            """count(*) AS lead_count,
               sum(%(responded)s) AS responded_count,
               sum(%(replied)s) AS replied_count,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY %(seconds)s) / 60.0
                   AS median_response_minutes,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY %(seconds)s) / 60.0
                   AS p90_response_minutes,
               sum(%(within_sla)s) AS within_sla_count,
               avg(%(within_sla_rate)s) AS within_sla_rate,
               sum(%(qualified)s) AS qualified_count,
               avg(%(qualified_rate)s) AS qualified_rate,
               sum(%(booked)s) AS booked_count,
               avg(%(booked_rate)s) AS booked_rate,
               sum(%(recovered)s) AS recovered_count,
               sum(%(won)s) AS won_count,
               sum(%(lost)s) AS lost_count""",
            responded=column("responded_count"),
            replied=column("replied_count"),
            seconds=column("first_response_seconds"),
            within_sla=column("within_sla_count"),
            within_sla_rate=column("within_sla_rate"),
            qualified=column("qualified_count"),
            qualified_rate=column("qualified_rate"),
            booked=column("booked_count"),
            booked_rate=column("booked_rate"),
            recovered=column("recovered_count"),
            won=column("won_count"),
            lost=column("lost_count"),
        )

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    @api.model
    def _cron_compute_snapshots(self):
        """Recompute the recent weeks and any older week with leads but no
        snapshot yet (all of them on the first run), newest first.

        Each week is committed on its own, so a run that times out keeps the
        weeks it finished and the next run computes the rest.
        """
        started = time.monotonic()
        self.env.cr.execute(SQL("SELECT DISTINCT week FROM proactive_kpi_snapshot"))
        stored = {row[0] for row in self.env.cr.fetchall()}
        missing = set(self._all_weeks()) - stored
        weeks = sorted(missing | set(self._recent_weeks()))
        _logger.info("Computing lead KPI snapshots for %s weeks", len(weeks))
        IrCron = self.env["ir.cron"]
        IrCron._commit_progress(remaining=len(weeks))
        done = 0
        for week in reversed(weeks):
            self._compute_week(week)
            done += 1
            if not IrCron._commit_progress(1):
                break
        _logger.info(
            "Computed lead KPI snapshots for %s of %s weeks in %.1fs",
            done,
            len(weeks),
            time.monotonic() - started,
        )
