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
