# Copyright 2026 Proactive Leads contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Proactive Leads",
    "summary": "Answer every lead within a minute, qualify it and keep it moving",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Proactive Leads contributors",
    "website": "https://github.com/proactive-leads/proactive-leads",
    "license": "LGPL-3",
    "depends": ["crm", "utm", "base_automation"],
    "data": [
        "security/ir.model.access.csv",
        "security/proactive_security.xml",
        "data/utm_data.xml",
        "data/mail_message_subtype_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/base_automation_data.xml",
        "views/crm_stage_views.xml",
        "views/crm_lead_views.xml",
        "views/proactive_touch_views.xml",
        "views/mail_template_views.xml",
        "views/lead_proactive_menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
