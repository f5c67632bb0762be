# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sending windows for automated SMS, in the recipient's local time.

The US federal rule for telephone solicitation (47 CFR 64.1200(c)(1)) allows
8:00 to 21:00 at the called party's location, and a few states are
stricter. When the recipient may be in several zones (an area code and a
ZIP code in different zones), a message may only go out when every zone
allows it, and a message outside the window is moved to the first minute
that every zone allows.

Pure Python (stdlib only), so it runs without a database.
"""

import datetime
from dataclasses import dataclass

UTC = datetime.UTC
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Window:
    """Allowed sending time per weekday, Monday first: a (start, end) pair of
    minutes after local midnight with the end excluded, or None when
    nothing may be sent that day."""

    days: tuple

    @classmethod
    def daily(cls, start_minute, end_minute):
        return cls(((start_minute, end_minute),) * 7)

    def intersect(self, other):
        """Return the window allowed by both ``self`` and ``other``."""
        days = []
        for mine, theirs in zip(self.days, other.days, strict=True):
            if mine is None or theirs is None:
                days.append(None)
                continue
            start, end = max(mine[0], theirs[0]), min(mine[1], theirs[1])
            days.append((start, end) if start < end else None)
        return Window(tuple(days))

    def allows(self, local):
        """Return whether the aware local datetime is inside the window."""
        day = self.days[local.weekday()]
        minute = local.hour * 60 + local.minute
        return day is not None and day[0] <= minute < day[1]

    def next_start(self, local):
        """Return the first allowed moment at or after the aware local
        datetime ``local``, in its zone, or None when no day of the week
        allows anything."""
        zone = local.tzinfo
        minute = local.hour * 60 + local.minute
        for offset in range(8):
            date = local.date() + datetime.timedelta(days=offset)
            day = self.days[date.weekday()]
            if day is None:
                continue
            if offset == 0 and minute >= day[1]:
                continue
            if offset == 0 and minute >= day[0]:
                return local
            start = datetime.time(day[0] // 60, day[0] % 60)
            return datetime.datetime.combine(date, start, tzinfo=zone)
        return None


def hours_window(start_hour, end_hour):
    """Return the daily window from ``start_hour`` to ``end_hour`` (floats,
    8.5 is 8:30), or raise ValueError when it is empty or not within a day."""
    start, end = round(start_hour * 60), round(end_hour * 60)
    if not 0 <= start < end <= MINUTES_PER_DAY:
        raise ValueError(
            "Invalid sending hours %s to %s: the start must come before the end, "
            "both between 0:00 and 24:00." % (start_hour, end_hour)
        )
    return Window.daily(start, end)


def _weekly(weekday_hours, sunday_hours):
    weekday = (weekday_hours[0] * 60, weekday_hours[1] * 60)
    sunday = (sunday_hours[0] * 60, sunday_hours[1] * 60)
    return Window((weekday,) * 6 + (sunday,))


# States whose telephone-solicitation hours are stricter than the federal
# 8:00-21:00: Florida (Fla. Stat. 501.616), Oklahoma (Telephone Solicitation
# Act of 2022), Maryland (Stop the Spam Calls Act of 2023) and Texas (Bus. &
# Com. Code 301.051, noon on Sunday).
# NOTE: a summary for setting sensible defaults, not legal advice. Other
# states restrict Sundays and holidays; have counsel review the list.
STATE_WINDOWS = {
    "FL": Window.daily(8 * 60, 20 * 60),
    "OK": Window.daily(8 * 60, 20 * 60),
    "MD": Window.daily(8 * 60, 20 * 60),
    "TX": _weekly((9, 21), (12, 21)),
}


def next_allowed_time(moment, constraints, max_days=8):
    """Return the first moment at or after ``moment`` that every
    (zone, window) pair of ``constraints`` allows, in UTC.

    ``moment`` is an aware datetime and each zone a ``zoneinfo.ZoneInfo``.
    The result is ``moment`` itself when it is allowed, else the start of a
    window (a whole minute). Returns None when no moment in the next
    ``max_days`` days suits every zone, which happens only with windows
    that never overlap.
    """
    current = moment.astimezone(UTC)
    deadline = current + datetime.timedelta(days=max_days)
    while current <= deadline:
        moved = False
        for zone, window in constraints:
            local = current.astimezone(zone)
            if window.allows(local):
                continue
            start = window.next_start(local)
            if start is None:
                return None
            current = start.astimezone(UTC)
            moved = True
        if not moved:
            return current
    return None
