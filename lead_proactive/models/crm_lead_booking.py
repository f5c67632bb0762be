# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmation: the message a lead gets when it reaches a Booked stage.

The lead's ``create`` and ``write`` run ``_proactive_confirm_booking()`` on
leads that move to a Booked stage from an earlier one (or are created in one),
when their company's "Confirm Bookings" setting is on. Each booking is
numbered on the lead, and its confirmation claims touch step
``CONFIRMATION_STEP_BASE + number``, so a repeated write or a retried
transaction never sends the same confirmation twice. A lead moved back and
booked again is a new booking and gets a new confirmation.

The stage change is detected here, not by an automation rule on lead edits.
Odoo runs the checks of such a rule in every write and every stored
recompute of a lead, for any field. That took about 40 % of the CPU time of
an inbound email in bench/bench_inbound.py.
"""

import logging

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

# Touch steps 201, 202, ... are the confirmations of the lead's 1st, 2nd, ...
# booking: out of the follow-up (1-99) and options (100) ranges.
CONFIRMATION_STEP_BASE = 200
BOOKED_SLA_TARGETS = ("booked_confirmation",)
# Milestones from which reaching a Booked stage is no new booking.
NOT_NEW_BOOKING_MILESTONES = ("booked", "won")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    proactive_booking_count = fields.Integer(
        string="Bookings",
        readonly=True,
        copy=False,
        help="How many times the lead reached a Booked stage from an earlier "
        "stage. Each booking gets one confirmation.",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._proactive_filter_new_bookings()._proactive_confirm_booking()
        return leads

    def write(self, vals):
        if "stage_id" not in vals:
            return super().write(vals)
        # NOTE: a stage set by a recompute (crm.lead._compute_stage_id, when
        # the team changes) does not pass here, so it confirms no booking.
        previous = {lead.id: lead.stage_id.proactive_milestone for lead in self}
        result = super().write(vals)
        moved = self.filtered(
            lambda lead: previous[lead.id] not in NOT_NEW_BOOKING_MILESTONES
        )
        moved._proactive_filter_new_bookings()._proactive_confirm_booking()
        return result

    # ------------------------------------------------------------
    # Booking confirmation
    # ------------------------------------------------------------
    def _proactive_filter_new_bookings(self):
        """Return the open leads in a Booked stage whose company confirms
        bookings."""
        return self.filtered(
            lambda lead: lead.stage_id.proactive_milestone == "booked"
            and lead.won_status == "pending"
            and (lead.company_id or self.env.company).proactive_booking_confirmation
        )

    def _proactive_confirm_booking(self):
        """Number the new booking of each lead and send its confirmation.

        Each lead runs in its own savepoint: a failure is logged and posted on
        the lead, and the stage change that triggered it is kept.
        """
        if self.env.context.get("import_file"):
            return
        for lead in self:
            try:
                with self.env.cr.savepoint():
                    lead._proactive_confirm_booking_one()
            except Exception as error:  # noqa: BLE001 - the booking itself must stand
                _logger.exception("Booking confirmation failed on lead %s", lead.id)
                lead.sudo().write({"proactive_error": str(error) or repr(error)})
                lead.sudo().message_post(
                    body=self.env._(
                        "The booking confirmation could not be sent: %(error)s",
                        error=str(error) or repr(error),
                    ),
                    subtype_xmlid="lead_proactive.mt_lead_guard",
                )

    def _proactive_confirm_booking_one(self):
        self.ensure_one()
        number = self.proactive_booking_count + 1
        self.sudo().write({"proactive_booking_count": number})
        step = CONFIRMATION_STEP_BASE + number
        return self._proactive_send_confirmation(
            step, self._proactive_confirmation_channel()
        )

    def _proactive_confirmation_channel(self):
        """Return the channel of the lead's booking confirmation: 'assisted'
        for a marketplace chat or a phone call, else 'email'. lead_proactive_sms adds 'sms'."""
        self.ensure_one()
        return "assisted" if self._proactive_is_assisted() else "email"

    def _proactive_send_confirmation(self, step, channel):
        """Claim confirmation ``step`` and email it, or give it to a
        salesperson as an activity (``channel`` 'assisted').

        Returns the touch of the step. A step already claimed is returned
        unchanged and nothing is sent.
        """
        self.ensure_one()
        touch, template, claimed = self._proactive_claim_confirmation(step, channel)
        if not claimed:
            return touch

        reason = self.with_context(proactive_send_channel="email")._proactive_guard_reason()
        if not reason and not template:
            reason = self.env._("no script is set up for booking confirmations")
        if reason:
            touch.write(
                {"state": "skipped", "skip_reason": reason, "date": self.env.cr.now()}
            )
            self.message_post(
                body=self.env._("No booking confirmation sent: %(reason)s.", reason=reason),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
            return touch

        if channel == "assisted":
            activity = self._proactive_schedule_assisted_reply(template)
            touch.write(
                {"state": "sent", "activity_id": activity.id, "date": self.env.cr.now()}
            )
            return touch
        message = self._proactive_post_script(template)
        touch.write({"state": "sent", "message_id": message.id, "date": message.date})
        self._proactive_confirmation_sent(message.date)
        return touch

    def _proactive_claim_confirmation(self, step, channel):
        """Claim confirmation ``step`` on ``channel`` with the booking
        confirmation script.

        Returns (touch, template, claimed). ``claimed`` is False when the
        step was claimed before: ``touch`` is then the existing one.
        """
        self.ensure_one()
        Touch = self.env["proactive.touch"].sudo()
        template = (
            self.env["mail.template"]
            .sudo()
            ._proactive_select("booking_confirmation", self.source_id)
        )
        existing = Domain("lead_id", "=", self.id) & Domain("step", "=", step)
        touch = Touch.search(existing, limit=1)
        if touch:
            return touch, template, False
        touch = Touch._proactive_claim(
            self,
            step,
            {"kind": "confirmation", "channel": channel, "mail_template_id": template.id},
        )
        if not touch:
            return Touch.search(existing, limit=1), template, False
        return touch, template, True

    def _proactive_confirmation_sent(self, when):
        """Mark the Booked Confirmation SLA of the lead met at ``when``."""
        self._sla_mark_met(when, targets=BOOKED_SLA_TARGETS)
