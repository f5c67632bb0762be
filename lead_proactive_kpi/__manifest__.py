# Copyright 2026 Proactive Leads contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Proactive Leads KPIs",
    "summary": "Lead response KPIs, leakage, script performance and a weekly "
    "report for sales managers",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Proactive Leads contributors",
    "website": "https://github.com/proactive-leads/proactive-leads",
    "license": "LGPL-3",
    "depends": ["lead_proactive", "digest"],
    "data": [
        "security/ir.model.access.csv",
        "security/lead_proactive_kpi_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/utm_source_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/digest_data.xml",
        "views/proactive_lead_report_views.xml",
        "views/proactive_kpi_snapshot_views.xml",
        "views/proactive_leakage_report_views.xml",
        "views/proactive_script_report_views.xml",
        "views/proactive_weekly_report_views.xml",
        "views/digest_digest_views.xml",
        "views/lead_proactive_kpi_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_proactive_kpi/static/tests/tours/**/*",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "installable": True,
    "application": False,
}
