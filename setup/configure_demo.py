# Run inside `odoo shell` once, right after the demo database is created:
# give the Sales team the mail alias the demo emails are addressed to.
domain = env["mail.alias.domain"].search([("name", "=", "crm.example.com")], limit=1)
if not domain:
    domain = env["mail.alias.domain"].create({"name": "crm.example.com"})
env.company.alias_domain_id = domain
team = env.ref("sales_team.team_sales_department")
team.write({"use_leads": True, "alias_name": "leads", "alias_domain_id": domain.id})
env.ref("base.group_user").sudo().write(
    {"implied_ids": [(4, env.ref("crm.group_use_lead").id)]}
)
env.ref("base.partner_admin").tz = "America/Chicago"
env.company.partner_id.tz = "America/Chicago"
env["ir.config_parameter"].set_param(
    "lead_proactive.service_cities", "Austin,Round Rock,Cambridge,Boston,Chicago"
)
# The demo machine has no internet access and must not try: switch off the
# crons that call Odoo's online services (lead enrichment, update check).
env["ir.config_parameter"].set_param("crm.iap.lead.enrich.setting", "manual")
for xmlid in ("crm_iap_enrich.ir_cron_lead_enrichment", "mail.ir_cron_module_update_notification"):
    cron = env.ref(xmlid, raise_if_not_found=False)
    if cron:
        cron.active = False
env.cr.commit()

# SMS demo: Twilio credentials that only sign the texts setup/send_sms.sh
# posts to this server, and an outbox that keeps every outgoing text on this
# machine (logged and appended to a file) instead of calling Twilio or IAP.
# Skipped on a database without lead_proactive_sms, such as the benchmark's
# database with only crm.
import os  # noqa: E402

DEMO_TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # as in setup/send_sms.py
state_dir = os.environ.get("PROACTIVE_STATE_DIR") or os.path.join(
    os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"),
    "proactive-leads",
)
if "proactive_sms_team_id" in env["res.company"]._fields:
    env.company.sudo().write(
        {
            "country_id": env.ref("base.us").id,
            "sms_twilio_account_sid": "AC00000000000000000000000000000000",
            "sms_twilio_auth_token": DEMO_TWILIO_AUTH_TOKEN,
            "proactive_sms_team_id": team.id,
        }
    )
    env["ir.config_parameter"].set_param(
        "lead_proactive_sms.demo_outbox",
        os.environ.get("PROACTIVE_SMS_OUTBOX") or os.path.join(state_dir, "sms_outbox.jsonl"),
    )
    env.cr.commit()
