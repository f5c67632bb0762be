# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

# SMS script usages picked per lead source by sms.template._proactive_select.
# Follow-up texts are chosen by the cadence step, so several are normal.
SELECTED_SMS_USAGES = ("instant_reply", "confirmation")


class ProactiveRolloutItem(models.Model):
    _inherit = "proactive.rollout.item"

    @api.model
    def _proactive_rollout_definitions(self):
        definitions = super()._proactive_rollout_definitions()
        definitions.append(
            {
                "key": "sms_twilio",
                "phase": "days_30",
                "sequence": 15,
                "name": self.env._("Twilio number connected for SMS leads"),
                "hint": self.env._(
                    "The company sends texts through Twilio with an account SID, "
                    "an auth token and at least one number."
                ),
                "check": "_proactive_rollout_check_sms_twilio",
                "action": "crm.crm_config_settings_action",
            }
        )
        return definitions

    @api.model
    def _proactive_rollout_check_sms_twilio(self, company):
        _ = self.env._
        company = company.sudo()
        problems = []
        if company.sms_provider != "twilio":
            problems.append(_("the SMS provider is not Twilio"))
        if not (company.sms_twilio_account_sid and company.sms_twilio_auth_token):
            problems.append(_("the Twilio account SID or auth token is missing"))
        if not company.sms_twilio_number_ids:
            problems.append(_("no Twilio number"))
        return problems

    @api.model
    def _proactive_rollout_check_instant_replies(self, company):
        problems = super()._proactive_rollout_check_instant_replies(company)
        if not self.env["sms.template"].sudo()._proactive_select("instant_reply", False):
            problems.append(self.env._("no active generic instant-reply SMS script"))
        return problems

    @api.model
    def _proactive_rollout_check_one_pipeline(self, company):
        problems = super()._proactive_rollout_check_one_pipeline(company)
        if not company.sudo().proactive_sms_team_id:
            problems.append(
                self.env._(
                    "no sales team chosen for texts from unknown numbers (setting "
                    "SMS Leads), so they go to the CRM's default team"
                )
            )
        return problems

    @api.model
    def _proactive_rollout_check_scripts(self, company):
        problems = super()._proactive_rollout_check_scripts(company)
        return problems + self._proactive_script_problems(
            "sms.template", "body", SELECTED_SMS_USAGES, self.env._("SMS")
        )
