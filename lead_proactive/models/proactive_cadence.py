# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import zoneinfo

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

UTC = zoneinfo.ZoneInfo("UTC")
# Weekday number (Monday is 0, as datetime.date.weekday()) to the field that
# allows sending on that day.
WEEKDAY_FIELDS = (
    "send_monday",
    "send_tuesday",
    "send_wednesday",
    "send_thursday",
    "send_friday",
    "send_saturday",
    "send_sunday",
)
# How many days ahead a touch may be deferred. Two weeks always contain an
# allowed weekday, and days after today hold no sent touch, so the daily
# maximum cannot push a touch further.
MAX_DEFERRAL_DAYS = 14


class ProactiveCadence(models.Model):
    """A follow-up sequence: the touches a quiet lead receives after the
    instant reply, when they may be sent, and when the lead is given up."""

    _name = "proactive.cadence"
    _description = "Lead Follow-up Sequence"
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10,
        help="Among sequences that fit a lead equally well, the first one is used.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        index=True,
        help="Only leads of this company get this sequence. Leave empty to "
        "share the sequence between companies.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Use this sequence for leads of these teams. Leave empty for any team.",
    )
    source_ids = fields.Many2many(
        "utm.source",
        string="Lead Sources",
        help="Use this sequence for leads from these sources. Leave empty for "
        "any source. A sequence listing both the lead's team and source wins "
        "over one listing its source only, which wins over one listing its "
        "team only, which wins over a sequence for everyone.",
    )
    step_ids = fields.One2many(
        "proactive.cadence.step", "cadence_id", string="Steps", copy=True
    )
    step_count = fields.Integer(compute="_compute_step_count", string="Steps Count")

    # ------------------------------------------------------------
    # Sending rules
    # ------------------------------------------------------------
    email_hour_from = fields.Float(
        string="Email From",
        default=8.0,
        help="Emails are sent from this hour of the day, in the lead's time zone.",
    )
    email_hour_to = fields.Float(
        string="Email Until",
        default=20.0,
        help="Emails are sent until this hour of the day, in the lead's time "
        "zone. A touch due later waits for the next allowed day.",
    )
    sms_hour_from = fields.Float(
        string="SMS From",
        default=9.0,
        help="Text messages are sent from this hour of the day, in the lead's "
        "time zone. Used by SMS steps.",
    )
    sms_hour_to = fields.Float(
        string="SMS Until",
        default=20.0,
        help="Text messages are sent until this hour of the day, in the lead's "
        "time zone. Used by SMS steps.",
    )
    send_monday = fields.Boolean(string="Monday", default=True)
    send_tuesday = fields.Boolean(string="Tuesday", default=True)
    send_wednesday = fields.Boolean(string="Wednesday", default=True)
    send_thursday = fields.Boolean(string="Thursday", default=True)
    send_friday = fields.Boolean(string="Friday", default=True)
    send_saturday = fields.Boolean(string="Saturday", default=True)
    send_sunday = fields.Boolean(string="Sunday", default=True)
    daily_touch_limit = fields.Integer(
        string="Max Touches per Day",
        default=3,
        help="Most messages a lead may receive on one day of its time zone, "
        "the instant reply included. A follow-up over the limit waits for the "
        "next day. 0 means no limit.",
    )

    # ------------------------------------------------------------
    # End of the sequence
    # ------------------------------------------------------------
    lost_delay_hours = fields.Integer(
        string="Grace Period (hours)",
        default=24,
        help="Hours to wait for an answer after the last step before the lead "
        "is marked as lost.",
    )
    lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost Reason",
        ondelete="set null",
        help="Reason given to a lead that did not answer any step. Leave empty "
        "to keep such leads open.",
    )

    _email_hours_valid = models.Constraint(
        "CHECK (email_hour_from >= 0 AND email_hour_from < email_hour_to AND email_hour_to <= 24)",
        "Email sending hours must start before they end, between 0:00 and 24:00.",
    )
    _sms_hours_valid = models.Constraint(
        "CHECK (sms_hour_from >= 0 AND sms_hour_from < sms_hour_to AND sms_hour_to <= 24)",
        "SMS sending hours must start before they end, between 0:00 and 24:00.",
    )
    _daily_touch_limit_positive = models.Constraint(
        "CHECK (daily_touch_limit >= 0)",
        "The maximum number of touches per day cannot be negative.",
    )
    _lost_delay_positive = models.Constraint(
        "CHECK (lost_delay_hours >= 0)",
        "The grace period cannot be negative.",
    )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for cadence in self:
            cadence.step_count = len(cadence.step_ids)

    @api.constrains(*WEEKDAY_FIELDS)
    def _check_weekdays(self):
        for cadence in self:
            if not any(cadence[name] for name in WEEKDAY_FIELDS):
                raise ValidationError(
                    self.env._(
                        "Sequence %(name)s allows no day of the week: allow at "
                        "least one day for its messages to be sent.",
                        name=cadence.name,
                    )
                )

    # ------------------------------------------------------------
    # Business logic
    # ------------------------------------------------------------
    @api.model
    def _proactive_select(self, team, source, company=None):
        """Return the active sequence that fits a lead of ``team``,
        ``source`` and ``company``.

        A sequence listing both the team and the source wins, then one listing
        the source only, then one listing the team only, then one with neither.
        A sequence listing a team or source other than the lead's never fits,
        and neither does one of another company than ``company`` (the current
        company when empty, e.g. for a lead without company). Among equally
        fitting sequences, the sequence order decides, whatever their company.
        """
        company = company or self.env.company
        cadences = self.search(
            Domain("active", "=", True)
            & Domain("company_id", "in", [company.id, False])
        )
        # (team listed, source listed), from the most specific to the least.
        levels = [(True, True), (False, True), (True, False), (False, False)]
        for with_team, with_source in levels:
            if (with_team and not team) or (with_source and not source):
                continue
            matches = [
                cadence
                for cadence in cadences
                if (team in cadence.team_ids if with_team else not cadence.team_ids)
                and (
                    source in cadence.source_ids
                    if with_source
                    else not cadence.source_ids
                )
            ]
            if matches:
                return matches[0]
        return self.browse()

    def _proactive_get_steps(self):
        self.ensure_one()
        return self.step_ids.sorted(lambda step: (step.sequence, step.id))

    def _proactive_sending_window(self, channel):
        """Return the (from, to) hours during which ``channel`` may send.

        A channel uses the fields ``<channel>_hour_from`` and
        ``<channel>_hour_to`` when the cadence has them, else the whole day.
        """
        self.ensure_one()
        field_from, field_to = "%s_hour_from" % channel, "%s_hour_to" % channel
        if field_from in self._fields and field_to in self._fields:
            return self[field_from], self[field_to]
        return 0.0, 24.0

    def _proactive_next_send_time(self, channel, candidate, lead):
        """Return the first moment at or after ``candidate`` when a touch on
        ``channel`` may reach ``lead``.

        That moment is inside the channel's hours, on an allowed weekday of
        the lead's time zone, and on a local day where the lead has received
        fewer touches than the daily maximum.

        ``candidate`` and the result are naive UTC datetimes, as stored.
        """
        self.ensure_one()
        tz = lead._proactive_get_tz()
        hour_from, hour_to = self._proactive_sending_window(channel)
        local = candidate.replace(tzinfo=UTC).astimezone(tz)
        for _attempt in range(MAX_DEFERRAL_DAYS):
            day = local.date()
            start = _local_datetime(day, hour_from, tz)
            end = _local_datetime(day, hour_to, tz)
            allowed_day = self[WEEKDAY_FIELDS[day.weekday()]]
            if (
                allowed_day
                and local < end
                and not self._proactive_day_is_full(lead, day, tz)
            ):
                when = max(local, start)
                return when.astimezone(UTC).replace(tzinfo=None, microsecond=0)
            local = _local_datetime(day + datetime.timedelta(days=1), 0.0, tz)
        raise ValidationError(
            self.env._(
                "Sequence %(name)s allows no sending time in the next %(days)s days.",
                name=self.name,
                days=MAX_DEFERRAL_DAYS,
            )
        )

    def _proactive_day_is_full(self, lead, day, tz):
        """Tell whether ``lead`` has reached the daily maximum of touches on
        ``day``, a date in time zone ``tz``."""
        self.ensure_one()
        if not self.daily_touch_limit:
            return False
        start = _local_datetime(day, 0.0, tz).astimezone(UTC).replace(tzinfo=None)
        end = (
            _local_datetime(day + datetime.timedelta(days=1), 0.0, tz)
            .astimezone(UTC)
            .replace(tzinfo=None)
        )
        sent = (
            self.env["proactive.touch"]
            .sudo()
            .search_count(
                Domain("lead_id", "=", lead.id)
                & Domain("state", "=", "sent")
                & Domain("date", ">=", start)
                & Domain("date", "<", end)
            )
        )
        return sent >= self.daily_touch_limit


def _local_datetime(day, hours, tz):
    """Return the aware datetime at ``hours`` (a float; 24.0 is the next
    midnight) on ``day`` in ``tz``."""
    minutes = round(hours * 60)
    if minutes >= 24 * 60:
        day, minutes = day + datetime.timedelta(days=1), 0
    return datetime.datetime.combine(
        day, datetime.time(minutes // 60, minutes % 60), tzinfo=tz
    )
