# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One notification per new lead for its salesperson.

Odoo emails "You have been assigned to ..." to the user a lead is given to,
and crm gives a new lead from the mail gateway to its team's leader. When the
lead flow then hands the lead off (high intent) or escalates it (sensitive
topic), it posts a note that notifies that same user about the same lead in
the same second, with what to do.

So while a message is captured and processed (mail gateway, lead-source
webhook, SMS), the notices of new assignments are deferred: kept in the
context, and sent at the end to the users that the flow did not notify
itself.
"""

from odoo import api, models

# Context key of the deferred notices: a dict that the capture code puts in
# the context and reads back at the end, so it survives savepoint rollbacks.
#   "notices": {lead id: [(partner ids, template xml id, language)]}
#   "notified": {lead id: {partner id: id of the note that notified them}}
#   "sent": True once the deferred notices were sent; later ones are not
#   deferred.
DEFERRED_NOTICES = "proactive_deferred_assignment_notices"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _proactive_defer_assignment_notices(self):
        """Return ``self`` in a context that defers the assignment notices of
        its records until ``_proactive_send_deferred_assignment_notices``."""
        return self.with_context(**{DEFERRED_NOTICES: {}})

    def _message_auto_subscribe_notify(self, partner_ids, template):
        deferred = self.env.context.get(DEFERRED_NOTICES)
        if (
            deferred is None
            or deferred.get("sent")
            or self.env.context.get("mail_auto_subscribe_no_notify")
        ):
            return super()._message_auto_subscribe_notify(partner_ids, template)
        notices = deferred.setdefault("notices", {})
        for lead in self:
            notices.setdefault(lead.id, []).append(
                (list(partner_ids), template, self.env.context.get("lang"))
            )
        return None

    def _proactive_note_notified(self, partner, message):
        """Record that ``message`` notified ``partner`` about the lead, so a
        deferred assignment notice to them is not sent."""
        self.ensure_one()
        deferred = self.env.context.get(DEFERRED_NOTICES)
        if deferred is not None and not deferred.get("sent") and partner:
            deferred.setdefault("notified", {}).setdefault(self.id, {})[partner.id] = (
                message.id
            )

    @api.model
    def _proactive_send_deferred_assignment_notices(self):
        """Send the deferred assignment notices, except to the users a note of
        the lead flow notified. A note rolled back with a failed step of the
        flow does not count."""
        deferred = self.env.context.get(DEFERRED_NOTICES)
        if deferred is None or deferred.get("sent"):
            return
        deferred["sent"] = True
        notices = deferred.pop("notices", {})
        notified = deferred.pop("notified", {})
        if not notices:
            return
        note_ids = {
            message_id
            for partners in notified.values()
            for message_id in partners.values()
        }
        kept_note_ids = set(
            self.env["mail.message"].sudo().browse(note_ids).exists().ids
        )
        for lead in self.browse(list(notices)).exists():
            done = {
                partner_id
                for partner_id, message_id in notified.get(lead.id, {}).items()
                if message_id in kept_note_ids
            }
            for partner_ids, template, lang in notices[lead.id]:
                remaining = [
                    partner_id for partner_id in partner_ids if partner_id not in done
                ]
                if remaining:
                    lead.with_context(lang=lang)._message_auto_subscribe_notify(
                        remaining, template
                    )
