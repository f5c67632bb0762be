# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared set-up of the follow-up tests: the standard sequence, its cron run
as the scheduler does, and a Chicago clock."""

import datetime
import zoneinfo

from odoo.addons.base.tests.test_ir_cron import CronMixinCase

from .common import ProactiveCase

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = zoneinfo.ZoneInfo("UTC")
CRON_XMLID = "lead_proactive.ir_cron_lead_proactive_send_followups"
FOLLOWUP_LOGGER = "odoo.addons.lead_proactive.models.crm_lead_followup"
TOUCH_LOGGER = "odoo.addons.lead_proactive.models.proactive_touch_followup"
CRON_LOGGER = "odoo.addons.base.models.ir_cron"


def chicago(*args):
    """Return the naive UTC datetime of a wall-clock time in Chicago."""
    return datetime.datetime(*args, tzinfo=CHICAGO).astimezone(UTC).replace(tzinfo=None)


class FollowupCase(ProactiveCase, CronMixinCase):
    """Base of the follow-up test classes; it has no tests of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cadence = cls.env.ref("lead_proactive.proactive_cadence_standard")
        cls.cron = cls.env.ref(CRON_XMLID)
        # Monday 16 June 2025, 9:00 in Chicago (CDT, UTC-5).
        cls.monday_9am = chicago(2025, 6, 16, 9, 0)

    def _run_cron(self, when):
        """Run the follow-up cron at ``when`` as the scheduler would."""
        with self.mock_datetime_and_now(when), self.enter_registry_test_mode():
            result = self.cron.method_direct_trigger()
        self.env.invalidate_all()
        return result

    def _touch(self, lead, step):
        return lead.proactive_touch_ids.filtered(lambda t: t.step == step)

    def _make_running_lead(self, email, instant_reply_date, next_touch_date, **values):
        """Create a lead whose instant reply went out at ``instant_reply_date``
        and whose first follow-up is due at ``next_touch_date``."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Quote request from %s" % email,
                "email_from": email,
                "team_id": self.team.id,
                "proactive_channel": "email",
                **values,
            }
        )
        self.env["proactive.touch"].create(
            {
                "lead_id": lead.id,
                "step": 0,
                "kind": "instant_reply",
                "state": "sent",
                "date": instant_reply_date,
            }
        )
        lead.write(
            {
                "proactive_cadence_id": self.cadence.id,
                "proactive_followup_step": 0,
                "proactive_followup_state": "running",
                "proactive_next_touch_date": next_touch_date,
            }
        )
        return lead
