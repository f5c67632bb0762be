# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_init_hook(env):
    # Reuse an "SMS" medium when another module (mass_mailing_sms) ships one.
    env["crm.lead"]._proactive_sms_medium()
