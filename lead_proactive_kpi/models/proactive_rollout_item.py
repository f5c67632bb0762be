# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import api, models
from odoo.fields import Domain

class ProactiveRolloutItem(models.Model):
    _inherit = "proactive.rollout.item"

    @api.model
    def _proactive_rollout_definitions(self):
        _ = self.env._
        definitions = super()._proactive_rollout_definitions()
        for definition in definitions:
            if definition["key"] == "weekly_review":
                definition.update(
                    {
                        "hint": _("A weekly report was emailed in the last 8 days."),
                        "check": "_proactive_rollout_check_weekly_review",
                        "action": "lead_proactive_kpi.proactive_weekly_report_action",
                    }
                )
        definitions.append(
            {
                "key": "weekly_report",
                "phase": "days_60",
                "sequence": 20,
                "name": _("Weekly report scheduled"),
                "hint": _(
                    "The scheduled action that emails the weekly report is on, "
                    "and the company has a sales manager with an email address."
                ),
                "check": "_proactive_rollout_check_weekly_report",
                "action": "base.ir_cron_act",
            }
        )
        return definitions

    def action_configure(self):
        """Open what the weekly report item misses: its scheduled action when
        it is off, else the users, to give a sales manager an email address."""
        if self.key != "weekly_report":
            return super().action_configure()
        self.ensure_one()
        crons = self._proactive_find_crons("_cron_send_weekly_report")
        if crons and not crons.filtered("active"):
            action = self.env["ir.actions.actions"]._for_xml_id("base.ir_cron_act")
            action["domain"] = [("id", "in", crons.ids)]
            action["context"] = {"active_test": False}
            return action
        action = self.env["ir.actions.actions"]._for_xml_id("base.action_res_users")
        action["domain"] = [("all_group_ids", "in", self.env.ref("sales_team.group_sale_manager").ids)]
        return action

    @api.model
    def _proactive_rollout_check_weekly_report(self, company):
        _ = self.env._
        problems = []
        if not self._proactive_find_crons("_cron_send_weekly_report").filtered("active"):
            problems.append(_("the scheduled action that emails the weekly report is off"))
        report = self.env["proactive.weekly.report"].sudo().new({"company_id": company.id})
        if not report._get_recipients():
            problems.append(_("no sales manager of the company has an email address"))
        return problems

    @api.model
    def _proactive_rollout_check_weekly_review(self, company):
        since = self.env.cr.now() - datetime.timedelta(days=8)
        sent = self.env["proactive.weekly.report"].sudo().search_count(
            Domain("company_id", "=", company.id) & Domain("sent_date", ">=", since)
        )
        # An active digest is not counted: Odoo's default digest is active
        # on every new database, so it would tick the item before any review.
        if sent:
            return []
        return [self.env._("no weekly report sent in the last 8 days")]

    @api.model
    def _proactive_rollout_check_followup_recovery(self, company):
        problems = super()._proactive_rollout_check_followup_recovery(company)
        since = (self.env.cr.now() - datetime.timedelta(days=14)).date()
        snapshots = self.env["proactive.kpi.snapshot"].sudo().search_count(
            Domain("company_id", "=", company.id) & Domain("week", ">=", since)
        )
        if not snapshots:
            problems.append(self.env._("no KPI snapshot of the last two weeks"))
        return problems
