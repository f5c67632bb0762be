# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Prepare the suite's database for bench_sms_webhook.py.

Run inside ``odoo shell`` by bench/run.sh. Reads BENCH_SMS_TOKEN,
BENCH_SMS_STUB_URL (the local IAP stub) and BENCH_SMS_BASE_URL from the
environment.

Outbound texts stay on the machine. The company keeps Odoo's default SMS
provider (IAP, not Twilio), so the Twilio client never runs. The
``sms.endpoint`` and ``iap.endpoint`` system parameters point at the stub on
127.0.0.1, so Odoo's SMS and IAP clients call the stub instead of Odoo's
servers. The Twilio auth token is
only used to check the webhook's request signatures.
"""

import os

company = env.company
company.write(
    {
        "sms_provider": "iap",
        "sms_twilio_account_sid": "AC" + "0" * 32,
        "sms_twilio_auth_token": os.environ["BENCH_SMS_TOKEN"],
    }
)
Param = env["ir.config_parameter"].sudo()
Param.set_param("sms.endpoint", os.environ["BENCH_SMS_STUB_URL"])
Param.set_param("iap.endpoint", os.environ["BENCH_SMS_STUB_URL"])
Param.set_param("web.base.url", os.environ["BENCH_SMS_BASE_URL"])
Param.set_param("web.base.url.freeze", "True")
# setup/configure_demo.py, which bench/run.sh runs on every database, makes
# texts go to the demo's outbox file. The benchmark measures the real
# sending path, to the stub.
Param.set_param("lead_proactive_sms.demo_outbox", False)
env.cr.commit()
print("BENCH_SMS_READY company %s" % company.id)
