# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools import business_time

_logger = logging.getLogger(__name__)

SLA_TARGETS = [
    ("first_reply", "First Reply"),
    ("qualified_followup", "Qualified Follow-up"),
    ("booked_confirmation", "Booked Confirmation"),
]
# A target of 0 minutes ("immediately") is due this long after the clock
# starts, so that a reply sent in the same minute still meets it.
IMMEDIATE_GRACE = datetime.timedelta(minutes=1)
# Working intervals are read from the calendar this many days at a time, up
# to about a year ahead. A calendar with no working time in that year falls
# back to elapsed time.
CALENDAR_WINDOW = datetime.timedelta(days=14)
CALENDAR_MAX_WINDOWS = 27
# Editing these fields changes the due dates of the leads the policy governs.
DUE_DATE_FIELDS = {"minutes", "at_risk_percent", "calendar_id", "by_hand_minutes"}
# Editing these fields changes which leads the policy governs.
SCOPE_FIELDS = {"active", "target", "sequence", "company_id", "team_ids", "source_ids", "medium_ids"}
# Statuses of a lead's SLA whose deadline a policy edit moves.
RECOMPUTED_STATUSES = ("on_track", "at_risk")
# Key in the cursor's cache (cleared with the transaction's caches) of the ids
# of the active policies, in their order. An inbound email starts two clocks,
# so the policies are searched once per transaction instead of once per clock.
ACTIVE_POLICY_IDS_KEY = "lead_proactive.active_sla_policy_ids"


class ProactiveSlaPolicy(models.Model):
    """A response-time target for leads: how long a lead may wait for a
    reply after it arrives, is qualified or is booked. The policy that
    applies to a lead is the most specific one whose criteria match it."""

    _name = "proactive.sla.policy"
    _description = "Lead Response SLA Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10,
        help="Among matching policies equally specific, the first in this order "
        "applies.",
    )
    target = fields.Selection(
        SLA_TARGETS,
        string="Applies To",
        required=True,
        default="first_reply",
        help="First Reply: the clock starts when the lead arrives and stops at "
        "the first reply: the automated instant reply, a logged assisted reply, "
        "or a message from a salesperson.\n"
        "Qualified Follow-up: starts when the lead reaches a Qualified stage and "
        "stops when a person contacts the lead: a salesperson's message (email "
        "or text, not an internal note), or a call or chat-reply activity marked "
        "done. Automated messages do not stop it.\n"
        "Booked Confirmation: starts when the lead reaches a Booked stage and "
        "stops at the next message sent to the lead, automated or written by a "
        "salesperson, or at a call, chat-reply or Confirm Booking activity "
        "marked done.",
    )
    met_by = fields.Text(
        string="Met By",
        compute="_compute_met_by",
        help="What stops the clock of this policy's SLA.",
    )
    minutes = fields.Integer(
        string="Target (minutes)",
        required=True,
        default=5,
        help="Time allowed before the SLA is breached, in minutes. With working "
        "hours, only working minutes count. 0 means immediately: the lead is "
        "due one minute after the clock starts.",
    )
    by_hand_minutes = fields.Integer(
        string="Target by Hand (minutes)",
        required=True,
        default=15,
        help="Booked Confirmation only: time allowed when the confirmation is "
        "left to a salesperson as an activity, because the automation is paused "
        "on the lead or the lead is reached by chat or phone. Counted like the "
        "target, from the booking. 0 means one minute.",
    )
    at_risk_percent = fields.Integer(
        string="At Risk After (%)",
        required=True,
        default=80,
        help="Share of the target time after which a waiting lead is shown as at "
        "risk, from 1 to 100.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        domain="[('flexible_hours', '=', False)]",
        help="Count only the working time of this calendar, in the calendar's "
        "time zone and without its time off. Empty: every minute counts.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index="btree_not_null",
        help="Empty: the policy applies in every company.",
    )
    team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", help="Empty: leads of any team."
    )
    source_ids = fields.Many2many(
        "utm.source", string="Sources", help="Empty: leads from any source."
    )
    medium_ids = fields.Many2many(
        "utm.medium", string="Media", help="Empty: leads from any medium."
    )

    _minutes_not_negative = models.Constraint(
        "CHECK(minutes >= 0)", "The SLA target cannot be negative."
    )
    _by_hand_minutes_not_negative = models.Constraint(
        "CHECK(by_hand_minutes >= 0)", "The SLA target by hand cannot be negative."
    )
    _at_risk_percent_range = models.Constraint(
        "CHECK(at_risk_percent > 0 AND at_risk_percent <= 100)",
        "The at-risk threshold must be between 1 and 100 percent.",
    )

    @api.depends("target")
    def _compute_met_by(self):
        texts = {
            "first_reply": self.env._(
                "The first reply to the lead: the automated instant reply, a "
                "logged assisted reply, or a salesperson's message to the lead."
            ),
            "qualified_followup": self.env._(
                "A person contacting the lead: a salesperson's message to the "
                "lead (email or text, not an internal note), or a call or "
                "chat-reply activity that a user marks done. Automated messages "
                "(instant reply, follow-ups, options scripts) do not count."
            ),
            "booked_confirmation": self.env._(
                "The next message sent to the lead, automated or written by a "
                "salesperson, or a call, chat-reply or Confirm Booking activity "
                "marked done. When a salesperson has to send the confirmation "
                "(the automation is paused, or the lead is reached by chat or "
                "phone), the Target by Hand applies."
            ),
        }
        for policy in self:
            policy.met_by = texts.get(policy.target, "")

    @api.constrains("calendar_id")
    def _check_calendar_id(self):
        for policy in self:
            if policy.calendar_id.flexible_hours:
                raise ValidationError(
                    self.env._(
                        "The working hours %(calendar)s have flexible hours, which "
                        "set no working time of day: choose a calendar with fixed "
                        "hours for the policy %(policy)s.",
                        calendar=policy.calendar_id.display_name,
                        policy=policy.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self.env.cr.cache.pop(ACTIVE_POLICY_IDS_KEY, None)
        policies = super().create(vals_list)
        # A new, more specific policy takes over the running clocks it matches.
        policies._recompute_running_slas(scope_changed=True)
        return policies

    def write(self, vals):
        self.env.cr.cache.pop(ACTIVE_POLICY_IDS_KEY, None)
        result = super().write(vals)
        if vals.keys() & (DUE_DATE_FIELDS | SCOPE_FIELDS):
            self._recompute_running_slas(scope_changed=bool(vals.keys() & SCOPE_FIELDS))
        return result

    def unlink(self):
        self.env.cr.cache.pop(ACTIVE_POLICY_IDS_KEY, None)
        leads = self.env["crm.lead"].sudo().search(self._get_running_leads_domain(scope_changed=False))
        result = super().unlink()
        if leads:
            leads._sla_reapply_policies()
        return result

    def _recompute_running_slas(self, scope_changed):
        """Recompute the running SLAs of the leads these policies govern or,
        after a change of scope, may now govern. Only those leads are read,
        through a domain on their SLA fields."""
        domain = self._get_running_leads_domain(scope_changed)
        leads = self.env["crm.lead"].sudo().search(domain)
        if leads:
            leads._sla_reapply_policies()

    def _get_running_leads_domain(self, scope_changed):
        """Return the domain of the leads whose running SLA a change of these
        policies may move: the leads they govern and, when ``scope_changed``,
        the leads of their (new) targets that their criteria match. Leads of
        a former target are among the governed ones."""
        governed = Domain("sla_policy_id", "in", self.ids)
        if scope_changed:
            matches = [governed]
            for policy in self.filtered("active"):
                matches.append(
                    Domain("sla_target", "=", policy.target) & policy._get_lead_match_domain()
                )
            governed = Domain.OR(matches)
        return Domain("sla_status", "in", RECOMPUTED_STATUSES) & governed

    def _get_lead_match_domain(self):
        """Return a domain of leads this policy's criteria may match. It can
        match more leads than ``_match_specificity`` accepts (a lead without
        a company matches any company here), never fewer."""
        self.ensure_one()
        domain = Domain.TRUE
        if self.company_id:
            domain &= Domain("company_id", "in", [self.company_id.id, False])
        for field_name, allowed in (
            ("team_id", self.team_ids),
            ("source_id", self.source_ids),
            ("medium_id", self.medium_ids),
        ):
            if allowed:
                domain &= Domain(field_name, "in", allowed.ids)
        return domain

    # ------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------
    @api.model
    def _select_for_leads(self, leads, target):
        """Return ``{lead: policy}`` for the leads some active policy of
        ``target`` applies to.

        A policy applies when each of its non-empty criteria (company, teams,
        sources, media) contains the lead's value. The policy with the most
        non-empty criteria wins, so team + source + medium beats team alone.
        Among equally specific policies, the first in sequence order wins.
        """
        policies = self._get_active_policies().filtered(lambda p: p.target == target)
        result = {}
        if not policies:
            return result
        for lead in leads:
            best, best_rank = None, None
            for position, policy in enumerate(policies):
                specificity = policy._match_specificity(lead)
                if specificity is None:
                    continue
                rank = (-specificity, position)
                if best_rank is None or rank < best_rank:
                    best, best_rank = policy, rank
            if best:
                result[lead] = best
        return result

    @api.model
    def _get_active_policies(self):
        """Return the active policies in their order, searched once per
        transaction."""
        policy_ids = self.env.cr.cache.get(ACTIVE_POLICY_IDS_KEY)
        if policy_ids is None:
            policies = self.sudo().with_context(active_test=True).search([])
            policy_ids = self.env.cr.cache[ACTIVE_POLICY_IDS_KEY] = policies.ids
        return self.browse(policy_ids)

    def _match_specificity(self, lead):
        """Return how many criteria of the policy ``lead`` matches, or None
        when one of them excludes it."""
        self.ensure_one()
        company = lead.company_id or self.env.company
        criteria = [
            (self.company_id, company),
            (self.team_ids, lead.team_id),
            (self.source_ids, lead.source_id),
            (self.medium_ids, lead.medium_id),
        ]
        specificity = 0
        for allowed, value in criteria:
            if not allowed:
                continue
            if not value or value not in allowed:
                return None
            specificity += 1
        return specificity

    # ------------------------------------------------------------
    # Due dates
    # ------------------------------------------------------------
    def _compute_due_dates(self, start, minutes=None):
        """Return ``(at_risk_date, deadline)`` for a clock started at
        ``start``, as naive UTC datetimes as Odoo stores them. ``minutes``
        replaces the policy's target."""
        self.ensure_one()
        if minutes is None:
            minutes = self.minutes
        duration = datetime.timedelta(minutes=minutes) if minutes else IMMEDIATE_GRACE
        at_risk_after = business_time.scale_duration(duration, self.at_risk_percent)
        start_utc = business_time.to_utc(start)
        due = None
        if self.calendar_id:
            due = business_time.add_working_time(
                start_utc, [at_risk_after, duration], self._iter_work_intervals(start_utc)
            )
            if None in due:
                _logger.warning(
                    "SLA policy %s: the working hours %s (id %s) have no working "
                    "time within a year after %s; counting elapsed time instead",
                    self.id,
                    self.calendar_id.name,
                    self.calendar_id.id,
                    start_utc,
                )
                due = None
        if due is None:
            due = [business_time.ceil_to_second(start_utc + delta) for delta in (at_risk_after, duration)]
        at_risk_date, deadline = (moment.replace(tzinfo=None) for moment in due)
        return at_risk_date, deadline

    def _iter_work_intervals(self, start):
        """Yield the policy calendar's working intervals from ``start`` on,
        read a window at a time. Time off of the calendar (public holidays,
        closures) is left out."""
        calendar = self.calendar_id
        for window in range(CALENDAR_MAX_WINDOWS):
            window_start = start + CALENDAR_WINDOW * window
            window_end = window_start + CALENDAR_WINDOW
            intervals = calendar._work_intervals_batch(window_start, window_end)[False]
            for begin, end, _attendance in intervals:
                yield begin, end
