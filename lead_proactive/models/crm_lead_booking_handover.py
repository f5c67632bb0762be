# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmations left to a salesperson.

A paused automation (a salesperson wrote to the lead, a sensitive topic, a
mailing list) must not write to the lead, so it does not send the
confirmation of a new booking. The lead's salesperson gets a Confirm Booking
activity instead, due today and containing the rendered confirmation script.
The activity is the booking's confirmation touch, with channel 'assisted'.
Opt-out, blacklists and the other guard checks still stop the confirmation:
then the lead only gets the note that nothing was sent, with that reason.

A confirmation left to a person, this one or the assisted reply of a chat or
phone lead, gets the Booked Confirmation policy's target by hand instead of
its target. Marking the activity done meets the SLA (mail_activity_booking.py),
and so does a salesperson's message to the lead (crm_lead_sla.py).
"""

from markupsafe import Markup

from odoo import models
from odoo.fields import Domain
from odoo.tools import html2plaintext

from .crm_lead_sla import SLA_OPEN
from .proactive_sla_record import SLA_RECORD_OPEN


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # Booking confirmation
    # ------------------------------------------------------------
    def _proactive_send_confirmation(self, step, channel):
        if self._proactive_confirmation_needs_owner(channel):
            touch = self._proactive_hand_over_confirmation(step)
        elif self.proactive_paused:
            # Another guard check blocks the confirmation too: the skip note
            # names that check rather than the pause.
            lead = self.with_context(proactive_guard_ignore_pause=True)
            touch = super(CrmLead, lead)._proactive_send_confirmation(step, channel)
        else:
            touch = super()._proactive_send_confirmation(step, channel)
        if touch.channel == "assisted" and touch.state == "sent":
            self._sla_time_confirmation_by_hand()
        return touch

    def _proactive_confirmation_needs_owner(self, channel):
        """Return whether the booking confirmation on ``channel`` goes to a
        salesperson: the automation is paused, and no other guard check
        (opt-out, blacklist, closed lead...) blocks the confirmation."""
        self.ensure_one()
        if not self.proactive_paused:
            return False
        # The confirmation path checks an assisted confirmation like an email.
        send_channel = "email" if channel == "assisted" else channel
        reason = self.with_context(
            proactive_send_channel=send_channel, proactive_guard_ignore_pause=True
        )._proactive_guard_reason()
        return not reason

    def _proactive_hand_over_confirmation(self, step):
        """Claim confirmation ``step`` and give it to the lead's salesperson
        as a Confirm Booking activity.

        Returns the touch of the step. A step already claimed is returned
        unchanged and no activity is scheduled.
        """
        self.ensure_one()
        touch, template, claimed = self._proactive_claim_confirmation(step, "assisted")
        if not claimed:
            return touch

        user = self._proactive_confirmation_owner()
        activity = self._proactive_schedule_booking_confirmation(template, user)
        touch.write(
            {
                "state": "sent",
                "activity_id": activity.id if activity else False,
                "date": self.env.cr.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "The automation is paused (%(reason)s), so the booking confirmation "
                "was not sent: %(user)s has an activity to send it.",
                reason=self.proactive_pause_reason or self.env._("no reason given"),
                user=user.name,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )
        return touch

    def _proactive_confirmation_owner(self):
        """Return the user who confirms a booking by hand: the salesperson,
        else the user who took the lead over, else the team leader, else the
        administrator."""
        self.ensure_one()
        for user in (self.user_id, self.proactive_takeover_user_id, self.team_id.user_id):
            if user and user.active and not user.share:
                return user
        return self.env.ref("base.user_admin")

    def _proactive_schedule_booking_confirmation(self, template, user):
        """Schedule the Confirm Booking activity for ``user``, due today in
        their time zone, with ``template`` rendered in the lead's language.
        Without a script, the note contains only the request to confirm."""
        self.ensure_one()
        hint = self.env._(
            "The automation is paused on this lead, so it did not send the booking "
            "confirmation. Send it to the lead yourself (a message from the chatter, "
            "a call or a text), then mark this activity as done."
        )
        note = Markup("<p>%s</p>") % hint
        if template:
            body = template._render_field("body_html", self.ids, compute_lang=True)[self.id]
            note += Markup("<p>%s</p><pre>%s</pre>") % (
                self.env._("The confirmation script:"),
                html2plaintext(body or ""),
            )
        return self.activity_schedule(
            "lead_proactive.mail_activity_type_booking_confirmation",
            date_deadline=self._sla_local_today(user),
            summary=self.env._("Confirm the booking"),
            note=note,
            user_id=user.id,
        )

    # ------------------------------------------------------------
    # Booked Confirmation SLA
    # ------------------------------------------------------------
    def _sla_compute_due_dates(self, policy, start):
        if policy.target == "booked_confirmation" and self._proactive_confirmation_is_by_hand(start):
            return policy._compute_due_dates(start, minutes=policy.by_hand_minutes)
        return super()._sla_compute_due_dates(policy, start)

    def _proactive_confirmation_is_by_hand(self, since):
        """Return whether a confirmation of the lead was left to a person as
        an activity at or after ``since``, the start of the booked clock."""
        self.ensure_one()
        return bool(
            self.env["proactive.touch"]
            .sudo()
            .search_count(
                Domain("lead_id", "=", self.id)
                & Domain("kind", "=", "confirmation")
                & Domain("channel", "=", "assisted")
                & Domain("state", "=", "sent")
                # Stored dates are whole seconds.
                & Domain("date", ">=", since.replace(microsecond=0)),
                limit=1,
            )
        )

    def _sla_time_confirmation_by_hand(self):
        """Move the due dates of the lead's running Booked Confirmation clock
        to the policy's target by hand.

        The clock starts when the stage changes, which can come before the
        confirmation is left to a person. The status follows the new dates,
        and the SLA cron is woken at the next one.
        """
        self.ensure_one()
        if (
            self.sla_target != "booked_confirmation"
            or self.sla_status not in SLA_OPEN
            or not self.sla_policy_id
        ):
            return
        at_risk_date, deadline = self._sla_compute_due_dates(
            self.sla_policy_id, self.sla_start_date
        )
        if (at_risk_date, deadline) == (self.sla_at_risk_date, self.sla_deadline):
            return
        status = "at_risk" if at_risk_date <= self.env.cr.now() else "on_track"
        self.sudo().write(
            {"sla_at_risk_date": at_risk_date, "sla_deadline": deadline, "sla_status": status}
        )
        self.sla_record_id.sudo().filtered(
            lambda record: record.status in SLA_RECORD_OPEN
        ).write({"at_risk_date": at_risk_date, "deadline": deadline, "status": status})
        self._sla_schedule_check([deadline if status == "at_risk" else at_risk_date])
