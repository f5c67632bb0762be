# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One notification per new lead for its salesperson.

Odoo emails "You have been assigned to ..." to the user a lead is given to,
and crm gives a new lead from the mail gateway to its team's leader. When the
lead flow then hands the lead off (high intent) or escalates it (sensitive
topic), it posts a note that notifies that same user about the same lead in
the same second, with what to do.

So while a message is captured and processed (mail gateway, lead-source
webhook, SMS), the notices of new assignments are deferred (see
crm.lead._proactive_defer_until_processed) and sent at the end to the users
that the flow did not notify itself. The deferred work keeps:
  "assignment_notices": {lead id: [(partner ids, template xml id, language)]}
  "notified": {lead id: {partner id: id of the note that notified them}}
"""

from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _message_auto_subscribe_notify(self, partner_ids, template):
        deferred = self._proactive_deferred_work()
        if deferred is None or self.env.context.get("mail_auto_subscribe_no_notify"):
            return super()._message_auto_subscribe_notify(partner_ids, template)
        self._proactive_defer_for(deferred)
        notices = deferred.setdefault("assignment_notices", {})
        for lead in self:
            notices.setdefault(lead.id, []).append(
                (list(partner_ids), template, self.env.context.get("lang"))
            )
        return None

    def _proactive_note_notified(self, partner, message):
        """Record that ``message`` notified ``partner`` about the lead, so a
        deferred assignment notice to them is not sent."""
        self.ensure_one()
        deferred = self._proactive_deferred_work()
        if deferred is not None and partner:
            notified = deferred.setdefault("notified", {}).setdefault(self.id, {})
            notified[partner.id] = message.id

    def _proactive_process_deferred(self, deferred):
        """Send the deferred assignment notices, except to the users a note of
        the lead flow notified. A note rolled back with a failed step of the
        flow does not count."""
        super()._proactive_process_deferred(deferred)
        notices = deferred.get("assignment_notices", {})
        notified = deferred.get("notified", {})
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
        for lead in self.filtered(lambda lead: lead.id in notices):
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
