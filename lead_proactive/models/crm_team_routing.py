# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from ast import literal_eval

from odoo import fields, models

_logger = logging.getLogger(__name__)


class CrmTeam(models.Model):
    _inherit = "crm.team"

    proactive_last_assigned_user_id = fields.Many2one(
        "res.users",
        string="Last Hot Lead Given To",
        readonly=True,
        copy=False,
        help="Technical: the member who received the team's last high-intent "
        "lead. The next one goes to the next member in turn.",
    )

    def _proactive_pick_member(self, lead):
        """Choose the team member who gets the high-intent ``lead`` now.

        Follows the rules of Odoo's lead assignment (crm.team.member).
        Members who paused assignment are skipped, and a member's assignment
        domain must accept the lead. Members with daily capacity left come
        before full ones. Within each of those groups, the members whose
        preferred domain matches the lead come first. Among the members
        left, the lead goes round robin, starting after the member who got
        the team's previous hot lead. A team that skips auto assignment gets
        no member, so its leader takes the lead.

        Unlike Odoo's assignment cron, this runs at once for one lead and
        does not convert it to an opportunity.

        :return: a res.users record, empty when no member fits
        """
        self.ensure_one()
        users = self.env["res.users"]
        if self.assignment_optout:
            return users
        members = self.crm_team_member_ids.filtered(
            lambda m: not m.assignment_optout and m.user_id.active and m.user_id._is_internal()
        ).sorted("id")
        accepting = members.filtered(lambda m: m._proactive_accepts(lead))
        if not accepting:
            return users
        preferred = accepting.filtered(lambda m: m._proactive_prefers(lead))
        # lead_day_count is not stored: leads assigned earlier in this
        # transaction would not count without a fresh read.
        accepting.invalidate_recordset(["lead_day_count"])
        with_quota = accepting.filtered(lambda m: m._get_assignment_quota() > 0)
        pool = (preferred & with_quota) or with_quota or preferred or accepting

        # NOTE: when two hot leads of one team are handled at the same moment,
        # both transactions write the pointer. The second one fails on the
        # concurrent update, and its lead shows the automation error with
        # "Run it again".
        ordered = list(members)
        last = self.proactive_last_assigned_user_id
        start = next(
            (index + 1 for index, member in enumerate(ordered) if member.user_id == last), 0
        )
        rotated = ordered[start:] + ordered[:start]
        chosen = next(member for member in rotated if member in pool)
        self.sudo().proactive_last_assigned_user_id = chosen.user_id
        _logger.info(
            "Team %s: high-intent lead %s assigned to user %s (round robin over %s members)",
            self.id,
            lead.id,
            chosen.user_id.id,
            len(pool),
        )
        return chosen.user_id


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    def _proactive_accepts(self, lead):
        self.ensure_one()
        domain = literal_eval(self.assignment_domain or "[]")
        return not domain or bool(lead.filtered_domain(domain))

    def _proactive_prefers(self, lead):
        self.ensure_one()
        domain = literal_eval(self.assignment_domain_preferred or "[]")
        return bool(domain) and bool(lead.filtered_domain(domain))
