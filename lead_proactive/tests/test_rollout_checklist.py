# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form, tagged, users

from .common import ProactiveCase

BASE_AUTOMATIC_KEYS = (
    "instant_replies",
    "stages",
    "followup",
    "slas",
    "one_pipeline",
    "high_intent_routing",
    "scripts_standardized",
    "followup_recovery",
)
BASE_MANUAL_KEYS = ("handoff_trained", "weak_scripts_retired")


@tagged("lead_proactive", "lead_proactive_rollout")
class TestRolloutChecklist(ProactiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Item = cls.env["proactive.rollout.item"]
        cls.company = cls.env.company

    def status(self, company=None):
        entries = self.Item._proactive_rollout_status(company or self.company)
        return {entry["key"]: entry for entry in entries}

    def problems(self, key, company=None):
        return " | ".join(self.status(company)[key]["problems"])

    def configure(self):
        """Give the company the set-up that the checklist checks: only the test
        team takes leads, it has an alias and members, and every lead alias
        delivers into a team."""
        self.env["crm.team"].search([("id", "!=", self.team.id)]).action_archive()
        self.env["mail.alias"].search(
            [("alias_model_id.model", "=", "crm.lead"), ("id", "!=", self.team.alias_id.id)]
        ).write({"alias_name": False})
        if "proactive_sms_team_id" in self.company._fields:
            self.company.proactive_sms_team_id = self.team
        self.env["proactive.touch"].create(
            {
                "lead_id": self.env["crm.lead"].create(
                    {"name": "Quiet lead", "team_id": self.team.id}
                ).id,
                "step": 1,
                "kind": "followup",
                "state": "sent",
                "date": self.env.cr.now(),
            }
        )

    # ------------------------------------------------------------
    # Database as installed
    # ------------------------------------------------------------
    def test_fresh_database_ticks(self):
        status = self.status()
        self.assertTrue(set(BASE_AUTOMATIC_KEYS + BASE_MANUAL_KEYS) <= set(status))
        for key in ("stages", "followup", "slas"):
            self.assertTrue(status[key]["done"], f"{key}: {status[key]['problems']}")
        self.assertNotIn("switched off", self.problems("instant_replies"))
        self.assertNotIn("instant-reply email script", self.problems("instant_replies"))
        self.assertNotIn("high-level intent signal", self.problems("high_intent_routing"))
        self.assertNotIn("email script", self.problems("scripts_standardized"))
        # Nothing was sent yet and nobody ticked anything.
        self.assertFalse(status["followup_recovery"]["done"])
        for key in BASE_MANUAL_KEYS:
            self.assertFalse(status[key]["done"], key)
        phases = [entry["phase"] for entry in status.values()]
        self.assertEqual(phases, sorted(phases), "items are listed phase by phase")

    def test_team_without_alias_or_members(self):
        bare_team = self.env["crm.team"].create({"name": "Walk-ins", "use_leads": True})
        self.assertIn("'Walk-ins' has no mail alias", self.problems("instant_replies"))
        self.assertIn("'Walk-ins' has no members", self.problems("high_intent_routing"))
        bare_team.action_archive()
        self.assertNotIn("Walk-ins", self.problems("instant_replies"))
        self.assertNotIn("Walk-ins", self.problems("high_intent_routing"))

    # ------------------------------------------------------------
    # Configured database, then each check broken on its own
    # ------------------------------------------------------------
    def test_configured_database_ticks(self):
        self.configure()
        status = self.status()
        for key in BASE_AUTOMATIC_KEYS:
            if key == "followup_recovery":
                # lead_proactive_kpi adds a snapshot condition to this one.
                self.assertNotIn("no follow-up sent", self.problems(key))
                continue
            self.assertTrue(status[key]["done"], f"{key}: {status[key]['problems']}")

    def test_reply_rule_switched_off(self):
        self.configure()
        rules = self.Item._proactive_find_automation_rules(("_proactive_process_inbound",))
        self.assertTrue(rules, "the reply rule is found by its code")
        self.addCleanup(rules.write, {"active": True})
        rules.active = False
        self.assertIn("automation rule that answers leads", self.problems("instant_replies"))
        self.assertFalse(self.status()["instant_replies"]["done"])

    def test_reply_rule_found_when_split(self):
        """A copy of the reply action under another rule still counts."""
        self.configure()
        rules = self.Item._proactive_find_automation_rules(("_proactive_process_inbound",))
        self.addCleanup(rules.write, {"active": True})
        rules.active = False
        rule = self.env["base.automation"].create(
            {
                "name": "Reply only",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "trigger": "on_message_received",
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "Send the instant reply",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "state": "code",
                "code": "records._proactive_send_instant_reply()",
            }
        )
        self.assertNotIn("automation rule", self.problems("instant_replies"))

    def test_routing_and_followup_rules_switched_off(self):
        self.configure()
        Item = self.Item
        rules = Item._proactive_find_step_rules("routing") | Item._proactive_find_step_rules("followup")
        self.addCleanup(rules.write, {"active": True})
        Item._proactive_find_step_rules("routing").active = False
        self.assertIn("scores and routes leads is switched off", self.problems("high_intent_routing"))
        self.assertNotIn("switched off", self.problems("instant_replies"))
        Item._proactive_find_step_rules("followup").active = False
        self.assertIn("schedules follow-ups is switched off", self.problems("followup"))

    def test_stage_milestone_missing(self):
        self.Stage.search([("proactive_milestone", "=", "booked")]).proactive_milestone = False
        self.assertIn("milestone Booked", self.problems("stages"))
        self.assertFalse(self.status()["stages"]["done"])

    def test_followup_cron_or_cadence_off(self):
        cron = self.env.ref("lead_proactive.ir_cron_lead_proactive_send_followups")
        cron.active = False
        self.assertIn("sends follow-ups is switched off", self.problems("followup"))
        cron.active = True
        self.env["proactive.cadence"].search([]).action_archive()
        self.assertIn("no active follow-up sequence", self.problems("followup"))
        self.assertNotIn("switched off", self.problems("followup"))

    def test_sla_target_without_policy(self):
        self.env["proactive.sla.policy"].search(
            [("target", "=", "qualified_followup")]
        ).action_archive()
        self.assertIn("Qualified Follow-up", self.problems("slas"))
        self.assertNotIn("First Reply", self.problems("slas"))

    def test_alias_or_lead_without_team(self):
        self.configure()
        self.env["mail.alias"].create(
            {
                "alias_name": "stray",
                "alias_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "alias_domain_id": self.mail_alias_domain.id,
            }
        )
        self.assertIn("alias 'stray@", self.problems("one_pipeline"))
        self.env["crm.lead"].create({"name": "Orphan lead", "team_id": False})
        self.assertIn("1 leads of the last 30 days have no sales team", self.problems("one_pipeline"))

    def test_alias_with_team_default(self):
        self.configure()
        self.env["mail.alias"].create(
            {
                "alias_name": "quotes",
                "alias_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "alias_domain_id": self.mail_alias_domain.id,
                "alias_defaults": repr({"team_id": self.team.id}),
            }
        )
        self.assertTrue(self.status()["one_pipeline"]["done"], self.problems("one_pipeline"))

    def test_high_intent_signals_archived(self):
        self.env["proactive.intent.signal"].search(
            [("kind", "=", "intent"), ("level", "=", "high")]
        ).action_archive()
        self.assertIn("no active high-level intent signal", self.problems("high_intent_routing"))

    def test_scripts_duplicate_or_empty(self):
        self.configure()
        template = self.env.ref("lead_proactive.mail_template_instant_reply")
        template.copy({"name": "Instant reply, second try"})
        self.assertIn("2 generic email scripts for Instant Reply", self.problems("scripts_standardized"))
        self.env["mail.template"].create(
            {
                "name": "Half-written options",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "proactive_usage": "followup",
                "body_html": "<p><br></p>",
            }
        )
        self.assertIn("'Half-written options' is empty", self.problems("scripts_standardized"))

    def test_followup_recovery_needs_followups(self):
        self.assertIn("no follow-up sent", self.problems("followup_recovery"))
        self.configure()
        self.assertNotIn("no follow-up sent", self.problems("followup_recovery"))

    # ------------------------------------------------------------
    # Manual items, rows and the settings form
    # ------------------------------------------------------------
    @users("proactive_manager")
    def test_manual_item_ticked_by_manager(self):
        Item = self.env["proactive.rollout.item"]
        items = Item._proactive_sync_items(self.env.company)
        self.assertEqual(
            set(items.mapped("key")), set(self.status().keys()), "one row per item"
        )
        self.assertEqual(len(Item._proactive_sync_items(self.env.company)), len(items))
        handoff = items.filtered(lambda item: item.key == "handoff_trained")
        self.assertTrue(handoff.is_manual)
        self.assertFalse(handoff.done)

        handoff.manual_done = True
        self.assertTrue(handoff.done)
        self.assertEqual(handoff.done_user_id, self.env.user)
        self.assertTrue(handoff.done_date)
        self.assertTrue(self.status()["handoff_trained"]["done"])


        # Ticking an automatic item by hand changes nothing.
        stages = items.filtered(lambda item: item.key == "stages")
        stages.action_toggle_manual_done()
        self.assertFalse(stages.manual_done)

    def test_manual_tick_per_company(self):
        # Created by the admin: res.company.create gives the new company to
        # the creating user, and the manager must stay out of it.
        other = self.env["res.company"].create({"name": "Second Movers"})
        self.Item._proactive_sync_items(self.company).filtered(
            lambda item: item.key == "handoff_trained"
        ).manual_done = True
        self.assertTrue(self.status()["handoff_trained"]["done"])
        self.assertFalse(self.status(other)["handoff_trained"]["done"])

        other_items = self.Item._proactive_sync_items(other)
        self.assertTrue(other_items)
        as_manager = self.Item.with_user(self.user_sales_manager)
        self.assertFalse(as_manager.search([("id", "in", other_items.ids)]))
        self.assertTrue(as_manager.search([("company_id", "=", self.company.id)]))

    def test_configure_opens_action(self):
        items = self.Item._proactive_sync_items(self.company)
        for item in items:
            action = item.action_configure()
            self.assertEqual(action.get("type"), "ir.actions.act_window", item.key)

    def test_settings_form_progress(self):
        # Settings are for administrators (res.config.settings access).
        settings = Form(self.env["res.config.settings"])
        status = self.status()
        done = sum(1 for entry in status.values() if entry["done"])
        self.assertEqual(settings.proactive_rollout_item_count, len(status))
        self.assertEqual(settings.proactive_rollout_done_count, done)
        self.assertIn("Days 31-60", settings.proactive_rollout_checklist)
        self.assertIn("/odoo/action-lead_proactive.proactive_cadence_action",
                      settings.proactive_rollout_checklist)

        self.Item._proactive_sync_items(self.env.company).filtered(
            lambda item: item.key == "handoff_trained"
        ).manual_done = True
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.proactive_rollout_done_count, done + 1)
        action = settings.save().action_proactive_open_rollout()
        self.assertEqual(action["res_model"], "proactive.rollout.item")
