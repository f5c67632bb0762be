# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Columns the claim INSERT fills itself.
CLAIM_COLUMNS = frozenset(
    {
        "id",
        "lead_id",
        "step",
        "kind",
        "channel",
        "state",
        "date",
        "create_uid",
        "create_date",
        "write_uid",
        "write_date",
    }
)


class ProactiveTouch(models.Model):
    _inherit = "proactive.touch"

    cadence_id = fields.Many2one(
        "proactive.cadence",
        string="Follow-up Sequence",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    cadence_step_id = fields.Many2one(
        "proactive.cadence.step",
        string="Follow-up Step",
        readonly=True,
        ondelete="set null",
        help="The sequence step this follow-up was sent for.",
    )

    @api.model
    def _proactive_claim(self, lead, step, values):
        """Claim ``step`` of ``lead`` by inserting its touch row, state claimed.

        Return the new touch, or an empty recordset when another transaction
        has inserted a touch for the same step, committed or not. The (lead,
        step) unique index rejects the second row, so a step is sent at most
        once. The
        INSERT runs in a savepoint, so a rejected claim leaves the caller's
        transaction usable.

        The row is inserted with plain SQL so that PostgreSQL's rejection is
        not logged as a failed query; ``values`` (other fields, defaults
        included) are then written through the ORM.
        """
        now = self.env.cr.now()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        INSERT INTO proactive_touch
                            (lead_id, step, kind, channel, state, date,
                             create_uid, create_date, write_uid, write_date)
                        VALUES (%(lead)s, %(step)s, %(kind)s, %(channel)s, 'claimed', %(now)s,
                                %(uid)s, %(now)s, %(uid)s, %(now)s)
                        RETURNING id
                        """,
                        lead=lead.id,
                        step=step,
                        kind=values.get("kind", "followup"),
                        channel=values.get("channel", "email"),
                        now=now,
                        uid=self.env.uid,
                    ),
                    log_exceptions=False,
                )
                touch_id = self.env.cr.fetchone()[0]
        except psycopg2.errors.UniqueViolation:
            _logger.info(
                "Lead %s: step %s is already claimed by another run, not sent again",
                lead.id,
                step,
            )
            return self.browse()
        touch = self.browse(touch_id)
        # Give the row what an ORM create would: defaults of fields not
        # given, and stored computed or related fields (team, source).
        missing = [
            name
            for name, field in self._fields.items()
            if field.store
            and not field.compute
            and name not in values
            and name not in CLAIM_COLUMNS
        ]
        defaults = self.default_get(missing)
        for field in self._fields.values():
            if field.store and field.compute:
                self.env.add_to_compute(field, touch)
        touch.modified(sorted(CLAIM_COLUMNS - {"id"}), create=True)
        lead.invalidate_recordset(["proactive_touch_ids"])
        extra = {**defaults, **values}
        for name in ("kind", "channel"):
            extra.pop(name, None)
        if extra:
            touch.write(extra)
        return touch
