# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import time
import zoneinfo

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import kpi_sql

_logger = logging.getLogger(__name__)

# ------------------------------------------------------------
# Action plan rules and their thresholds
# ------------------------------------------------------------
# A source's median first reply counts only with at least this many answered
# leads in the week, so that one slow lead does not name a source.
SOURCE_MIN_ANSWERED = 3
# Rates are judged only for weeks with at least this many leads.
RATE_MIN_LEADS = 10
# The plan suggests checking the automation when fewer leads than this share (%)
# got their first reply within the target.
WITHIN_TARGET_MIN_RATE = 80.0
# The plan reports a booked rate that fell by more than this fraction of the
# previous four weeks' rate (0.2: from 30 % to under 24 %).
BOOKED_RATE_MAX_DROP = 0.2
# The plan suggests rewriting the follow-ups from this many leads lost after
# the whole sequence in the last four weeks.
LOST_AFTER_SEQUENCE_MIN = 5
# At most this many underperforming scripts are named.
MAX_SCRIPT_LINES = 3

# The weekly figures: same names as proactive.kpi.snapshot's fields.
FIGURES = [
    "lead_count",
    "responded_count",
    "median_response_minutes",
    "p90_response_minutes",
    "within_sla_rate",
    "qualified_rate",
    "booked_count",
    "booked_rate",
    "recovered_count",
    "won_count",
    "lost_count",
]
# Figures that are totals: for the previous four weeks they become a weekly
# average. The others (rates, percentiles) are taken over the four weeks' leads.
COUNT_FIGURES = {"lead_count", "responded_count", "booked_count", "recovered_count",
                 "won_count", "lost_count"}


class ProactiveWeeklyReport(models.Model):
    """A company's lead response figures for one week, compared with the four
    weeks before, with leakage counts and an action plan. The weekly cron
    emails it to the sales managers."""

    _name = "proactive.weekly.report"
    _description = "Weekly Lead Response Report"
    _order = "week desc, company_id"

    company_id = fields.Many2one(
        "res.company", string="Company", required=True, readonly=True, index=True
    )
    week = fields.Date(
        string="Week",
        required=True,
        readonly=True,
        help="Monday of the reported week, in the company's time zone.",
    )
    sent_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    first_reply_target_minutes = fields.Float(
        string="First-Reply Target (min)", readonly=True
    )

    # ------------------------------------------------------------
    # The week
    # ------------------------------------------------------------
    lead_count = fields.Integer(string="Leads", readonly=True)
    responded_count = fields.Integer(string="Answered", readonly=True)
    median_response_minutes = fields.Float(
        string="Median First Response (min)", readonly=True
    )
    p90_response_minutes = fields.Float(
        string="90th Percentile First Response (min)", readonly=True
    )
    within_sla_rate = fields.Float(
        string="Answered Within Target (%)", readonly=True
    )
    qualified_rate = fields.Float(string="Qualified Rate (%)", readonly=True)
    booked_count = fields.Integer(string="Booked Next Steps", readonly=True)
    booked_rate = fields.Float(string="Booked Rate (%)", readonly=True)
    recovered_count = fields.Integer(string="Recovered by Follow-up", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)

    # ------------------------------------------------------------
    # The four weeks before: weekly averages for counts, figures over all
    # their leads for rates and percentiles
    # ------------------------------------------------------------
    prev_lead_count = fields.Float(string="Leads per Week Before", readonly=True)
    prev_responded_count = fields.Float(
        string="Answered per Week Before", readonly=True
    )
    prev_median_response_minutes = fields.Float(
        string="Median First Response Before (min)", readonly=True
    )
    prev_p90_response_minutes = fields.Float(
        string="90th Percentile Before (min)", readonly=True
    )
    prev_within_sla_rate = fields.Float(
        string="Answered Within Target Before (%)", readonly=True
    )
    prev_qualified_rate = fields.Float(
        string="Qualified Rate Before (%)", readonly=True
    )
    prev_booked_count = fields.Float(
        string="Booked per Week Before", readonly=True
    )
    prev_booked_rate = fields.Float(string="Booked Rate Before (%)", readonly=True)
    prev_recovered_count = fields.Float(
        string="Recovered per Week Before", readonly=True
    )
    prev_won_count = fields.Float(string="Won per Week Before", readonly=True)
    prev_lost_count = fields.Float(string="Lost per Week Before", readonly=True)

    # ------------------------------------------------------------
    # Worst source, leakage and plan
    # ------------------------------------------------------------
    worst_source_id = fields.Many2one(
        "utm.source",
        string="Slowest Source",
        readonly=True,
        help="The source with the highest median first reply this week, among "
        "sources with at least 3 answered leads.",
    )
    worst_source_median_minutes = fields.Float(
        string="Slowest Source Median (min)", readonly=True
    )
    worst_source_responded_count = fields.Integer(
        string="Slowest Source Answered", readonly=True
    )
    waiting_count = fields.Integer(string="Waiting for a First Reply", readonly=True)
    past_sla_count = fields.Integer(string="Past an SLA", readonly=True)
    no_next_step_count = fields.Integer(string="Qualified, No Next Step", readonly=True)
    lost_after_sequence_count = fields.Integer(
        string="Lost After the Follow-ups", readonly=True
    )
    action_plan = fields.Text(
        string="Action Plan",
        readonly=True,
        help="One action per line, from the rules of the weekly report.",
    )

    _company_week_unique = models.UniqueIndex(
        "(company_id, week)", "A company has one weekly report per week."
    )

    @api.depends("company_id", "week")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "%(company)s, week of %(week)s",
                company=report.company_id.name,
                week=report.week,
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_recompute(self):
        self._compute_figures()

    def action_send(self):
        """Recompute the figures and email them to the sales managers."""
        self._compute_figures()
        for report in self:
            report._send()

    # ------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------
    def _compute_figures(self):
        # The figures come from raw SQL on the views, which does not flush.
        self.env.flush_all()
        kpi_sql.disable_jit(self.env.cr)
        for report in self:
            values = report._query_figures()
            values.update(report._query_worst_source())
            values.update(report._query_leakage())
            values["first_reply_target_minutes"] = self._first_reply_target_minutes()
            report.write(values)
            report.action_plan = "\n".join(report._get_action_plan_lines())

    def _query_figures(self):
        """Return the week's figures and the previous four weeks', from the
        same aggregates as the weekly snapshots."""
        self.ensure_one()
        week = self.week
        first_week = week - datetime.timedelta(weeks=4)
        Snapshot = self.env["proactive.kpi.snapshot"]

        self.env.cr.execute(
            SQL(
                """
                SELECT report.week = %(week)s AS is_current, %(aggregates)s
                  FROM proactive_lead_report report
                 WHERE report.company_id = %(company)s
                   AND report.week BETWEEN %(first_week)s AND %(week)s
                 GROUP BY report.week = %(week)s
                """,
                week=week,
                first_week=first_week,
                aggregates=Snapshot._aggregates_sql("report"),
                company=self.company_id.id,
            )
        )
        rows = self.env.cr.dictfetchall()
        current = next((row for row in rows if row["is_current"]), {})
        previous = next((row for row in rows if not row["is_current"]), {})

        values = {}
        for name in FIGURES:
            values[name] = current.get(name) or 0
            before = previous.get(name) or 0
            values["prev_%s" % name] = before / 4 if name in COUNT_FIGURES else before
        return values

    def _query_worst_source(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT report.source_id,
                       count(report.first_response_seconds) AS responded,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY report.first_response_seconds) / 60.0 AS median
                  FROM proactive_lead_report report
                 WHERE report.company_id = %(company)s
                   AND report.week = %(week)s
                   AND report.source_id IS NOT NULL
                 GROUP BY report.source_id
                HAVING count(report.first_response_seconds) >= %(min_answered)s
                 ORDER BY median DESC, report.source_id
                 LIMIT 1
                """,
                company=self.company_id.id,
                week=self.week,
                min_answered=SOURCE_MIN_ANSWERED,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return {
                "worst_source_id": False,
                "worst_source_median_minutes": 0.0,
                "worst_source_responded_count": 0,
            }
        return {
            "worst_source_id": row[0],
            "worst_source_responded_count": row[1],
            "worst_source_median_minutes": row[2],
        }

    def _query_leakage(self):
        """Return the leakage counts of the company at this moment."""
        self.ensure_one()
        groups = self.env["proactive.leakage.report"].sudo()._read_group(
            Domain("company_id", "=", self.company_id.id), ["category"], ["__count"]
        )
        counts = dict(groups)
        return {
            "waiting_count": counts.get("waiting_reply", 0),
            "past_sla_count": counts.get("past_sla", 0),
            "no_next_step_count": counts.get("no_next_step", 0),
            "lost_after_sequence_count": counts.get("lost_after_sequence", 0),
        }

    @api.model
    def _first_reply_target_minutes(self):
        raw = self.env["ir.config_parameter"].sudo().get_param(kpi_sql.TARGET_PARAM, "")
        try:
            target = float(raw) if raw else kpi_sql.DEFAULT_TARGET_MINUTES
        except ValueError:
            target = -1
        if target < 0:
            _logger.warning(
                "Invalid system parameter %s=%r: expected a number of minutes, using %s",
                kpi_sql.TARGET_PARAM,
                raw,
                kpi_sql.DEFAULT_TARGET_MINUTES,
            )
            target = kpi_sql.DEFAULT_TARGET_MINUTES
        return target

    # ------------------------------------------------------------
    # Action plan
    # ------------------------------------------------------------
    def _get_action_plan_lines(self):
        """Return the actions the figures call for, most urgent first.

        Each rule and its threshold is documented at the top of this module.
        """
        self.ensure_one()
        _ = self.env._
        lines = []
        target = self.first_reply_target_minutes
        if self.worst_source_id and self.worst_source_median_minutes > target:
            lines.append(
                _(
                    "Median first reply on %(source_name)s leads was %(minutes)s minutes: "
                    "check that its alias forwards to Odoo.",
                    source_name=self.worst_source_id.name,
                    minutes=_format_number(self.worst_source_median_minutes),
                )
            )
        if self.lead_count >= RATE_MIN_LEADS and self.within_sla_rate < WITHIN_TARGET_MIN_RATE:
            lines.append(
                _(
                    "Only %(rate)s%% of leads got a first reply within %(target)s "
                    "minutes: check that the lead automation rule is active and "
                    "that every source has an instant-reply script.",
                    rate=_format_number(self.within_sla_rate),
                    target=_format_number(target),
                )
            )
        if self.waiting_count:
            lines.append(
                _(
                    "Leads waiting for a first reply: %(count)s, %(late)s of them past "
                    "an SLA. Answer them from CRM > Reporting > Lead Leakage.",
                    count=self.waiting_count,
                    late=self.past_sla_count,
                )
            )
        elif self.past_sla_count:
            lines.append(
                _(
                    "Leads past an SLA: %(count)s. See CRM > Reporting > Lead Leakage.",
                    count=self.past_sla_count,
                )
            )
        if self.no_next_step_count:
            lines.append(
                _(
                    "Qualified leads with no next step: %(count)s. Schedule an "
                    "activity or send them options.",
                    count=self.no_next_step_count,
                )
            )
        if (
            self.lead_count >= RATE_MIN_LEADS
            and self.prev_booked_rate > 0
            and self.booked_rate < self.prev_booked_rate * (1 - BOOKED_RATE_MAX_DROP)
        ):
            lines.append(
                _(
                    "The booked rate fell from %(previous)s%% to %(current)s%%: "
                    "review the scripts and the leads that replied but did not book.",
                    previous=_format_number(self.prev_booked_rate),
                    current=_format_number(self.booked_rate),
                )
            )
        scripts = self.env["proactive.script.report"].sudo().search(
            [("underperforming", "=", True), ("script_active", "=", True)],
            order="z_score desc",
            limit=MAX_SCRIPT_LINES,
        )
        for script in scripts:
            lines.append(
                _(
                    "Script \"%(script)s\" gets fewer replies than the other scripts "
                    "of its kind (%(rate)s%% against %(siblings)s%%): rewrite or "
                    "retire it in CRM > Reporting > Script Performance.",
                    script=script.mail_template_id.name,
                    rate=_format_number(script.reply_rate),
                    siblings=_format_number(script.sibling_reply_rate),
                )
            )
        if self.lost_after_sequence_count >= LOST_AFTER_SEQUENCE_MIN:
            lines.append(
                _(
                    "Leads lost after the whole follow-up sequence in the last four "
                    "weeks: %(count)s. Try a different last follow-up.",
                    count=self.lost_after_sequence_count,
                )
            )
        if not lines:
            lines.append(_("No rule fired this week: every figure is within its threshold."))
        return lines

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------
    def _get_recipients(self):
        """Return the partners of the company's active sales managers with an
        email address."""
        self.ensure_one()
        managers = self.env.ref("sales_team.group_sale_manager").sudo().all_user_ids
        return managers.filtered(
            lambda user: user.active
            and not user.share
            and user.email
            and self.company_id in user.company_ids
        ).partner_id

    def _is_empty(self):
        self.ensure_one()
        return not (
            self.lead_count
            or self.prev_lead_count
            or self.waiting_count
            or self.past_sla_count
            or self.no_next_step_count
            or self.lost_after_sequence_count
        )

    def _send(self):
        self.ensure_one()
        recipients = self._get_recipients()
        if not recipients:
            _logger.warning(
                "Weekly lead KPI report %s not sent: company %s has no sales "
                "manager with an email address",
                self.id,
                self.company_id.id,
            )
            return False
        template = self.env.ref("lead_proactive_kpi.mail_template_weekly_kpi_report")
        template.send_mail(
            self.id,
            email_values={"recipient_ids": [fields.Command.link(pid) for pid in recipients.ids]},
        )
        self.sent_date = self.env.cr.now()
        return True

    @api.model
    def _last_complete_week(self, company):
        """Return the Monday of the last complete week in the company's time zone."""
        try:
            tz = zoneinfo.ZoneInfo(company.proactive_kpi_tz or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        now = self.env.cr.now().replace(tzinfo=datetime.timezone.utc).astimezone(tz)
        today = now.date()
        return today - datetime.timedelta(days=today.weekday(), weeks=1)

    @api.model
    def _cron_send_weekly_report(self):
        """Build and email last week's report of every company, once.

        A company whose report for that week was already sent is skipped, so
        a rerun of the cron sends nothing twice.
        """
        started = time.monotonic()
        companies = self.env["res.company"].search([])
        _logger.info("Weekly lead KPI report: %s companies", len(companies))
        IrCron = self.env["ir.cron"]
        IrCron._commit_progress(remaining=len(companies))
        sent = 0
        error = None
        for company in companies:
            week = self._last_complete_week(company)
            report = self.search([("company_id", "=", company.id), ("week", "=", week)])
            if report.sent_date:
                IrCron._commit_progress(1)
                continue
            try:
                with self.env.cr.savepoint():
                    if not report:
                        report = self.create({"company_id": company.id, "week": week})
                    report._compute_figures()
                    if report._is_empty():
                        # A company without leads gets no email.
                        report.unlink()
                    else:
                        sent += bool(report._send())
            except Exception as exc:  # noqa: BLE001 - one company must not stop the others
                _logger.exception(
                    "Weekly lead KPI report failed for company %s, week of %s",
                    company.id,
                    week,
                )
                error = exc
            if not IrCron._commit_progress(1):
                break
        _logger.info(
            "Weekly lead KPI report: sent %s reports in %.1fs",
            sent,
            time.monotonic() - started,
        )
        if error:
            raise error


def _format_number(value):
    """Format a figure for a sentence: whole numbers from 10 up, one decimal below."""
    value = value or 0.0
    if abs(value) >= 10:
        return "%d" % round(value)
    return ("%.1f" % value).rstrip("0").rstrip(".") or "0"
