# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .proactive_sla_policy import SLA_TARGETS

SLA_RECORD_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("met", "Met"),
    ("breached", "Breached"),
    ("cancelled", "Cancelled"),
]
SLA_RECORD_OPEN = ("on_track", "at_risk")
SLA_CANCEL_REASONS = [
    ("superseded", "Superseded by a later SLA"),
    ("closed", "Lead won, lost or archived"),
    ("no_policy", "No policy applies any more"),
]


class ProactiveSlaRecord(models.Model):
    """One SLA clock of a lead, kept after the lead moves on to a later SLA,
    so that every miss stays countable.

    The lead's ``sla_*`` fields show its current clock. This model keeps
    each clock from its start to its end. A breached record stays breached
    after a late response, and ``met_date`` stores when it came.
    """

    _name = "proactive.sla.record"
    _description = "Lead SLA Record"
    _order = "start_date desc, id desc"
    _rec_name = "target"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, readonly=True, index=True, ondelete="cascade"
    )
    policy_id = fields.Many2one(
        "proactive.sla.policy", string="SLA Policy", readonly=True, index="btree_not_null",
        ondelete="set null",
    )
    target = fields.Selection(SLA_TARGETS, string="SLA", required=True, readonly=True)
    status = fields.Selection(
        SLA_RECORD_STATUSES,
        required=True,
        readonly=True,
        default="on_track",
        index=True,
        help="On Track and At Risk: the clock still runs. Met: the response came "
        "before the deadline. Breached: the deadline passed without a response, "
        "even if one came later. Cancelled: the clock stopped before its deadline "
        "because a later SLA started, the lead was closed or no policy applies "
        "any more.",
    )
    cancel_reason = fields.Selection(SLA_CANCEL_REASONS, readonly=True)
    start_date = fields.Datetime(string="Clock Started", required=True, readonly=True)
    at_risk_date = fields.Datetime(string="At Risk On", readonly=True)
    deadline = fields.Datetime(required=True, readonly=True)
    met_date = fields.Datetime(
        string="Responded On",
        readonly=True,
        help="When the lead got the response this SLA waits for, also after a breach.",
    )
    breached_date = fields.Datetime(
        string="Breached On",
        readonly=True,
        help="The deadline that passed without a response.",
    )
    end_date = fields.Datetime(
        string="Stopped On", readonly=True, help="When a cancelled clock was stopped."
    )
    response_minutes = fields.Float(
        string="Minutes to Response",
        compute="_compute_response_minutes",
        store=True,
        aggregator="avg",
        help="Elapsed minutes from the clock start to the response, working "
        "hours or not. 0 while no response is recorded, so filter on responded "
        "records before reading an average.",
    )
    # Stored to group and filter reports. They follow the lead's current values.
    team_id = fields.Many2one(related="lead_id.team_id", store=True, string="Sales Team")
    user_id = fields.Many2one(related="lead_id.user_id", store=True, string="Salesperson")
    source_id = fields.Many2one(related="lead_id.source_id", store=True, string="Source")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, string="Company")

    _lead_start_idx = models.Index("(lead_id, start_date)")

    @api.depends("start_date", "met_date")
    def _compute_response_minutes(self):
        for record in self:
            if record.start_date and record.met_date:
                seconds = (record.met_date - record.start_date).total_seconds()
                record.response_minutes = max(0.0, seconds / 60)
            else:
                record.response_minutes = 0.0

    @api.depends("target", "lead_id")
    def _compute_display_name(self):
        targets = dict(self._fields["target"]._description_selection(self.env))
        for record in self:
            record.display_name = "%s: %s" % (
                targets.get(record.target, ""),
                record.lead_id.display_name or "",
            )
