# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import email.utils

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

PLAIN_EMAIL = """Return-Path: <{email_from}>
From: {email_from}
To: {to}
Subject: {subject}
Message-ID: {msg_id}
Date: Fri, 13 Jun 2025 16:05:11 -0500
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

{body}
"""


class ProactiveCase(MailCommon):
    """Base for the suite's tests: a sales team with the alias
    leads@<test alias domain>, a salesperson, and the suite's stages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "America/Chicago"
        cls.user_salesman = mail_new_test_user(
            cls.env,
            login="proactive_salesman",
            name="Sam Rivera",
            email="sam.rivera@example-movers.com",
            groups="sales_team.group_sale_salesman,crm.group_use_lead",
            tz="America/Chicago",
        )
        cls.user_sales_manager = mail_new_test_user(
            cls.env,
            login="proactive_manager",
            name="Morgan Manager",
            email="morgan.manager@example-movers.com",
            groups="sales_team.group_sale_manager,crm.group_use_lead",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Proactive Test Team",
                "use_leads": True,
                "use_opportunities": True,
                "alias_name": "leads",
                "alias_domain_id": cls.mail_alias_domain.id,
                "user_id": cls.user_sales_manager.id,
                "member_ids": [(4, cls.user_salesman.id)],
                "sequence": 1,
            }
        )
        cls.lead_alias = "leads@%s" % cls.alias_domain
        cls.Stage = cls.env["crm.stage"]
        cls.stage_new = cls.Stage._proactive_find("new")
        cls.stage_qualified = cls.Stage._proactive_find("qualified")
        cls.stage_booked = cls.Stage._proactive_find("booked")
        cls.env["ir.config_parameter"].set_param(
            "lead_proactive.service_cities", "Austin,Round Rock,Cambridge"
        )

    def process_email(self, raw):
        """Feed a raw email through the mail gateway as fetchmail does."""
        if isinstance(raw, str):
            raw = raw.encode()
        return self.env["mail.thread"].sudo().message_process(False, raw)

    def process_plain(self, email_from, body, subject="Quote request", to=None,
                      msg_id=None, extra=""):
        msg_id = msg_id or email.utils.make_msgid(domain="example.net")
        raw = PLAIN_EMAIL.format(
            email_from=email_from,
            to=to or self.lead_alias,
            subject=subject,
            msg_id=msg_id,
            extra=extra,
            body=body,
        )
        self.process_email(raw)
        return msg_id

    def find_lead(self, email):
        return self.env["crm.lead"].search(
            [("email_normalized", "=", email.lower())], order="id desc"
        )

    def outgoing_mails_to(self, email):
        return self._new_mails.filtered(lambda m: email in (m.email_to or ""))
