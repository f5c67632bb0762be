# Copyright 2026 Proactive Leads contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Proactive Leads: SMS",
    "summary": "Receive lead texts from Twilio, answer them by SMS, honour STOP",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Proactive Leads contributors",
    "website": "https://github.com/proactive-leads/proactive-leads",
    "license": "LGPL-3",
    "depends": ["lead_proactive", "sms", "sms_twilio"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "security/lead_proactive_sms_security.xml",
        "data/sms_template_data.xml",
        "data/ir_cron_data.xml",
        "views/sms_template_views.xml",
        "views/proactive_sms_inbound_views.xml",
        "views/proactive_touch_views.xml",
        "views/proactive_cadence_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/lead_proactive_sms_menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
