# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast
import datetime

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import html2plaintext

PHASES = [
    ("days_30", "Days 1-30"),
    ("days_60", "Days 31-60"),
    ("days_90", "Days 61-90"),
]

# Script usages for which the automation picks one template per lead source
# (mail.template._proactive_select). Follow-up scripts are chosen by the
# cadence step instead, so several generic ones are normal.
SELECTED_MAIL_USAGES = ("instant_reply", "assisted_reply", "options")


class ProactiveRolloutItem(models.Model):
    """One item of the 30-60-90 day rollout checklist of a company.

    The list of items comes from ``_proactive_rollout_definitions``, which
    other modules extend. A row exists per company and item key so that a
    manual item keeps its tick; items with a check method are ticked from the
    database's state each time they are read.
    """

    _name = "proactive.rollout.item"
    _description = "Lead Automation Rollout Item"
    _order = "company_id, phase, sequence, id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    key = fields.Char(required=True, readonly=True)
    phase = fields.Selection(PHASES, required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    is_manual = fields.Boolean(
        string="Manual",
        readonly=True,
        help="Ticked by hand because the database cannot tell whether it is done.",
    )
    manual_done = fields.Boolean(
        string="Done by Hand",
        help="Tick once the team has done it. Only used for manual items.",
    )
    done_date = fields.Datetime(string="Ticked On", readonly=True)
    done_user_id = fields.Many2one("res.users", string="Ticked By", readonly=True)
    name = fields.Char(compute="_compute_from_definition")
    hint = fields.Char(string="How", compute="_compute_from_definition")
    done = fields.Boolean(compute="_compute_done")
    status_detail = fields.Char(string="Still Missing", compute="_compute_done")

    _company_key_unique = models.UniqueIndex("(company_id, key)")

    @api.depends("key")
    def _compute_from_definition(self):
        definitions = {item["key"]: item for item in self._proactive_rollout_definitions()}
        for item in self:
            definition = definitions.get(item.key, {})
            item.name = definition.get("name") or item.key
            item.hint = definition.get("hint", "")

    @api.depends("key", "manual_done", "company_id")
    def _compute_done(self):
        status_by_company = {}
        for item in self:
            company = item.company_id
            if company not in status_by_company:
                status_by_company[company] = {
                    entry["key"]: entry for entry in self._proactive_rollout_status(company)
                }
            entry = status_by_company[company].get(item.key)
            if not entry:
                item.done = False
                item.status_detail = ""
            elif entry.get("check"):
                item.done = entry["done"]
                item.status_detail = "; ".join(entry["problems"])
            else:
                # The form may hold an unsaved tick, so read the record.
                item.done = item.manual_done
                item.status_detail = ""

    def write(self, vals):
        if "manual_done" in vals:
            vals = dict(vals)
            vals["done_date"] = self.env.cr.now() if vals["manual_done"] else False
            vals["done_user_id"] = self.env.uid if vals["manual_done"] else False
        return super().write(vals)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_configure(self):
        """Open the screen where this item is configured."""
        self.ensure_one()
        definitions = {item["key"]: item for item in self._proactive_rollout_definitions()}
        xmlid = definitions.get(self.key, {}).get("action")
        if not xmlid:
            return False
        return self.env["ir.actions.actions"]._for_xml_id(xmlid)

    def action_toggle_manual_done(self):
        for item in self.filtered("is_manual"):
            item.manual_done = not item.manual_done
        return True

    # ------------------------------------------------------------
    # Checklist definition
    # ------------------------------------------------------------
    @api.model
    def _proactive_rollout_definitions(self):
        """Return the checklist items as a list of dicts.

        Keys: ``key`` (unique), ``phase`` (see PHASES), ``sequence``, ``name``,
        ``hint`` (what to do), ``check`` (name of a method of this model that
        takes a company and returns the list of what is still missing, or
        False for an item ticked by hand) and ``action`` (XML id of the
        window action where it is configured). Modules append their own items
        or change an existing one, for example to give a manual item a check.
        """
        _ = self.env._
        return [
            {
                "key": "instant_replies",
                "phase": "days_30",
                "sequence": 10,
                "name": _("Instant replies active on all channels"),
                "hint": _(
                    "An active instant-reply script, the reply automation rule "
                    "switched on, and a mail alias on every sales team."
                ),
                "check": "_proactive_rollout_check_instant_replies",
                "action": "lead_proactive.mail_template_action_scripts",
            },
            {
                "key": "stages",
                "phase": "days_30",
                "sequence": 20,
                "name": _("Pipeline stages defined"),
                "hint": _(
                    "Stages carrying the milestones New, Qualified, Options Sent, "
                    "Booked and Won."
                ),
                "check": "_proactive_rollout_check_stages",
                "action": "crm.crm_stage_action",
            },
            {
                "key": "followup",
                "phase": "days_30",
                "sequence": 30,
                "name": _("Follow-up sequence on"),
                "hint": _(
                    "An active follow-up sequence with steps, and its scheduled "
                    "action switched on."
                ),
                "check": "_proactive_rollout_check_followup",
                "action": "lead_proactive.proactive_cadence_action",
            },
            {
                "key": "slas",
                "phase": "days_30",
                "sequence": 40,
                "name": _("Response SLAs defined"),
                "hint": _("An active SLA policy for each target."),
                "check": "_proactive_rollout_check_slas",
                "action": "lead_proactive.proactive_sla_policy_action",
            },
            {
                "key": "one_pipeline",
                "phase": "days_30",
                "sequence": 50,
                "name": _("All channels routed to one pipeline"),
                "hint": _(
                    "Every lead alias delivers into a sales team, and the leads "
                    "of the last 30 days all have a sales team."
                ),
                "check": "_proactive_rollout_check_one_pipeline",
                "action": "sales_team.crm_team_action_config",
            },
            {
                "key": "high_intent_routing",
                "phase": "days_30",
                "sequence": 60,
                "name": _("High-intent leads routed to a salesperson"),
                "hint": _(
                    "Active high-level intent signals, and members on every "
                    "sales team to assign hot leads to."
                ),
                "check": "_proactive_rollout_check_high_intent_routing",
                "action": "lead_proactive.proactive_intent_signal_action",
            },
            {
                "key": "handoff_trained",
                "phase": "days_30",
                "sequence": 70,
                "name": _("Salespeople trained on the handoff"),
                "hint": _(
                    "Each salesperson knows the high-intent activity, taking a "
                    "conversation over and Resume Automation."
                ),
                "check": False,
                "action": "crm.crm_lead_action_pipeline",
            },
            {
                "key": "scripts_standardized",
                "phase": "days_60",
                "sequence": 10,
                "name": _("Scripts standardized"),
                "hint": _(
                    "One generic active script per use and channel, more only "
                    "for specific lead sources, and none left empty."
                ),
                "check": "_proactive_rollout_check_scripts",
                "action": "lead_proactive.mail_template_action_scripts",
            },
            {
                "key": "weekly_review",
                "phase": "days_90",
                "sequence": 10,
                "name": _("Weekly KPI review running"),
                "hint": _(
                    "The sales managers look at response times, qualified and "
                    "booked rates every week."
                ),
                "check": False,
                "action": "crm.crm_opportunity_report_action",
            },
            {
                "key": "followup_recovery",
                "phase": "days_90",
                "sequence": 20,
                "name": _("Follow-up recovery measured"),
                "hint": _(
                    "Follow-ups were sent in the last 30 days, so the touch log "
                    "shows how many quiet leads answered one."
                ),
                "check": "_proactive_rollout_check_followup_recovery",
                "action": "lead_proactive.proactive_touch_action",
            },
            {
                "key": "weak_scripts_retired",
                "phase": "days_90",
                "sequence": 30,
                "name": _("Weak scripts reviewed"),
                "hint": _(
                    "Scripts that earn few replies were rewritten or archived."
                ),
                "check": False,
                "action": "lead_proactive.mail_template_action_scripts",
            },
        ]

    @api.model
    def _proactive_rollout_status(self, company):
        """Return the checklist of ``company`` in display order: each
        definition with ``done`` and ``problems`` (what is still missing).

        Reads the manual ticks without creating rows, so it is safe to call
        while a form is computed.
        """
        ticks = {
            item.key: item.manual_done
            for item in self.sudo().search(Domain("company_id", "=", company.id))
        }
        phase_rank = {phase: rank for rank, (phase, _label) in enumerate(PHASES)}
        definitions = sorted(
            self._proactive_rollout_definitions(),
            key=lambda item: (phase_rank[item["phase"]], item["sequence"]),
        )
        status = []
        for definition in definitions:
            check = definition.get("check")
            if check:
                problems = getattr(self, check)(company)
            elif ticks.get(definition["key"]):
                problems = []
            else:
                problems = [self.env._("not ticked yet")]
            status.append({**definition, "done": not problems, "problems": problems})
        return status

    @api.model
    def _proactive_sync_items(self, company):
        """Create the missing rows of ``company`` and drop the undefined ones.

        Returns the company's items in checklist order.
        """
        definitions = self._proactive_rollout_definitions()
        items = self.sudo().search(Domain("company_id", "=", company.id))
        by_key = {item.key: item for item in items}
        keys = set()
        for definition in definitions:
            keys.add(definition["key"])
            vals = {
                "phase": definition["phase"],
                "sequence": definition["sequence"],
                "is_manual": not definition.get("check"),
            }
            item = by_key.get(definition["key"])
            if not item:
                self.sudo().create(
                    {"company_id": company.id, "key": definition["key"], **vals}
                )
            elif any(item[name] != value for name, value in vals.items()):
                item.write(vals)
        # NOTE: an item whose module is uninstalled loses its manual tick.
        items.filtered(lambda item: item.key not in keys).unlink()
        return self.search(Domain("company_id", "=", company.id))

    # ------------------------------------------------------------
    # Shared look-ups
    # ------------------------------------------------------------
    @api.model
    def _proactive_find_automation_rules(self, method_names):
        """Return the automation rules on leads, archived ones included, with
        a code action calling one of ``method_names``."""
        rules = (
            self.env["base.automation"]
            .sudo()
            .with_context(active_test=False)
            .search(Domain("model_name", "=", "crm.lead"))
        )
        return rules.filtered(
            lambda rule: any(
                action.state == "code"
                and any(name in (action.code or "") for name in method_names)
                for action in rule.action_server_ids
            )
        )

    @api.model
    def _proactive_find_step_rules(self, step):
        """Return the automation rules, archived ones included, that run the
        given step of the inbound flow (see ``proactive_inbound_step``)."""
        return (
            self.env["base.automation"]
            .sudo()
            .with_context(active_test=False)
            .search(Domain("proactive_inbound_step", "=", step))
        )

    @api.model
    def _proactive_find_crons(self, method_name):
        """Return the scheduled actions, archived ones included, whose code
        calls ``method_name``."""
        return (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search(Domain("code", "ilike", method_name))
        )

    @api.model
    def _proactive_lead_teams(self, company):
        """Return the active sales teams of ``company`` that take leads."""
        return (
            self.env["crm.team"]
            .sudo()
            .search(
                Domain("company_id", "in", [company.id, False])
                & (Domain("use_leads", "=", True) | Domain("use_opportunities", "=", True))
            )
        )

    @api.model
    def _proactive_script_problems(self, model_name, body_field, usages, channel):
        """Return what keeps the ``model_name`` lead scripts from being
        standard: a use of ``usages`` without an active script, a use with
        several generic ones, or a script with an empty text."""
        _ = self.env._
        templates = (
            self.env[model_name]
            .sudo()
            .search(
                Domain("model", "=", "crm.lead") & Domain("proactive_usage", "!=", False)
            )
        )
        labels = dict(
            self.env[model_name]._fields["proactive_usage"]._description_selection(self.env)
        )
        problems = []
        for usage in usages:
            scripts = templates.filtered(lambda t, usage=usage: t.proactive_usage == usage)
            generic = scripts.filtered(lambda t: not t.proactive_source_ids)
            if not scripts:
                problems.append(
                    _("no active %(channel)s script for %(usage)s", channel=channel, usage=labels.get(usage, usage))
                )
            elif len(generic) > 1:
                problems.append(
                    _(
                        "%(count)s generic %(channel)s scripts for %(usage)s",
                        count=len(generic),
                        channel=channel,
                        usage=labels.get(usage, usage),
                    )
                )
        for template in templates:
            if not _has_text(template[body_field]):
                problems.append(
                    _("%(channel)s script '%(name)s' is empty", channel=channel, name=template.name)
                )
        return problems

    # ------------------------------------------------------------
    # Checks: each takes a company and returns what is still missing
    # ------------------------------------------------------------
    @api.model
    def _proactive_rollout_check_instant_replies(self, company):
        _ = self.env._
        problems = []
        if not self.env["mail.template"].sudo()._proactive_select("instant_reply", False):
            problems.append(_("no active generic instant-reply email script"))
        # The shipped reply rule is known by its step; a rule an admin made
        # that sends the instant reply itself counts too.
        rules = self._proactive_find_step_rules("reply") | self._proactive_find_automation_rules(
            ("_proactive_send_instant_reply",)
        )
        if not rules.filtered("active"):
            problems.append(_("the automation rule that answers leads is switched off"))
        for team in self._proactive_lead_teams(company):
            if not team.alias_name:
                problems.append(_("sales team '%(team)s' has no mail alias", team=team.name))
        return problems

    @api.model
    def _proactive_rollout_check_stages(self, company):
        Stage = self.env["crm.stage"].sudo()
        labels = dict(Stage._fields["proactive_milestone"]._description_selection(self.env))
        present = set(Stage.search(Domain("proactive_milestone", "!=", False)).mapped("proactive_milestone"))
        return [
            self.env._("no stage with the milestone %(milestone)s", milestone=label)
            for milestone, label in labels.items()
            if milestone not in present
        ]

    @api.model
    def _proactive_rollout_check_followup(self, company):
        _ = self.env._
        problems = []
        cadences = self.env["proactive.cadence"].sudo().search([])
        if not cadences.filtered("step_ids"):
            problems.append(_("no active follow-up sequence with steps"))
        if not self._proactive_find_crons("_cron_send_followups").filtered("active"):
            problems.append(_("the scheduled action that sends follow-ups is switched off"))
        if not self._proactive_find_step_rules("followup").filtered("active"):
            problems.append(_("the automation rule that schedules follow-ups is switched off"))
        return problems

    @api.model
    def _proactive_rollout_check_slas(self, company):
        Policy = self.env["proactive.sla.policy"].sudo()
        labels = dict(Policy._fields["target"]._description_selection(self.env))
        policies = Policy.search(Domain("company_id", "in", [company.id, False]))
        present = set(policies.mapped("target"))
        return [
            self.env._("no active SLA policy for %(target)s", target=label)
            for target, label in labels.items()
            if target not in present
        ]

    @api.model
    def _proactive_rollout_check_one_pipeline(self, company):
        _ = self.env._
        problems = []
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search(
                Domain("alias_model_id.model", "=", "crm.lead")
                & Domain("alias_name", "!=", False)
            )
        )
        for alias in aliases:
            if alias.alias_parent_model_id.model == "crm.team" and alias.alias_parent_thread_id:
                continue
            if _alias_team_id(alias):
                continue
            problems.append(
                _("alias '%(alias)s' creates leads without a sales team", alias=alias.display_name)
            )
        since = self.env.cr.now() - datetime.timedelta(days=30)
        orphans = self.env["crm.lead"].sudo().with_context(active_test=False).search_count(
            Domain("company_id", "in", [company.id, False])
            & Domain("create_date", ">=", since)
            & Domain("team_id", "=", False)
        )
        if orphans:
            problems.append(
                _("%(count)s leads of the last 30 days have no sales team", count=orphans)
            )
        return problems

    @api.model
    def _proactive_rollout_check_high_intent_routing(self, company):
        _ = self.env._
        problems = []
        signals = self.env["proactive.intent.signal"].sudo().search(
            Domain("kind", "=", "intent") & Domain("level", "=", "high")
        )
        if not signals:
            problems.append(_("no active high-level intent signal"))
        if not self._proactive_find_step_rules("routing").filtered("active"):
            problems.append(_("the automation rule that scores and routes leads is switched off"))
        for team in self._proactive_lead_teams(company):
            if not team.member_ids:
                problems.append(_("sales team '%(team)s' has no members", team=team.name))
        return problems

    @api.model
    def _proactive_rollout_check_scripts(self, company):
        return self._proactive_script_problems(
            "mail.template", "body_html", SELECTED_MAIL_USAGES, self.env._("email")
        )

    @api.model
    def _proactive_rollout_check_followup_recovery(self, company):
        since = self.env.cr.now() - datetime.timedelta(days=30)
        sent = self.env["proactive.touch"].sudo().search_count(
            Domain("kind", "=", "followup")
            & Domain("state", "=", "sent")
            & Domain("date", ">=", since)
            & Domain("lead_id.company_id", "in", [company.id, False])
        )
        if not sent:
            return [self.env._("no follow-up sent in the last 30 days")]
        return []


def _has_text(body):
    """Tell whether a template body has any text once its markup is removed."""
    if not body:
        return False
    return bool(html2plaintext(str(body)).strip())


def _alias_team_id(alias):
    """Return the team id set in an alias's default values, or False."""
    try:
        defaults = ast.literal_eval(alias.alias_defaults or "{}")
    except (ValueError, SyntaxError):
        return False
    return isinstance(defaults, dict) and defaults.get("team_id")
