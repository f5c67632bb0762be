# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Working-time arithmetic on plain datetimes, without the ORM.

The working intervals come from the caller (in Odoo, from a
``resource.calendar``), so the time zone, daylight saving time and holidays
are already applied to them. Every computation here runs in UTC: subtracting
two aware datetimes that share a ``zoneinfo`` time zone ignores a change of
UTC offset between them, while UTC has none.
"""

import datetime
import math

UTC = datetime.timezone.utc


def to_utc(moment):
    """Return ``moment`` as an aware UTC datetime. A naive one is read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def ceil_to_second(moment):
    """Round ``moment`` up to a whole second.

    Odoo stores datetimes to the second. Rounding a deadline down would let a
    check flag it up to a second early.
    """
    if not moment.microsecond:
        return moment
    return moment.replace(microsecond=0) + datetime.timedelta(seconds=1)


def scale_duration(duration, percent):
    """Return ``percent`` % of ``duration``, rounded up to a whole second."""
    seconds = math.ceil(duration.total_seconds() * percent / 100)
    return datetime.timedelta(seconds=seconds)


def add_working_time(start, durations, intervals):
    """Return the moments at which each duration of working time has elapsed.

    :param datetime start: when the clock starts (aware, or naive UTC).
    :param list durations: ``timedelta`` amounts of working time to add.
    :param intervals: iterable of ``(begin, end, ...)`` working intervals,
        aware datetimes in ascending order that do not overlap. Extra items
        (such as Odoo's attendance record) are ignored. It may be a generator:
        it is read only until the longest duration is reached.
    :return: a list of aware UTC datetimes, one per duration and in the same
        order, each rounded up to a whole second. An entry is ``None`` when
        the intervals end before that duration is reached.

    A duration of zero returns the first working moment at or after
    ``start``. A clock that starts outside working time waits for the next
    interval. A clock that starts at the very end of an interval continues
    in the next one.
    """
    start = to_utc(start)
    results = [None] * len(durations)
    pending = sorted(range(len(durations)), key=lambda index: durations[index])
    if not pending:
        return results
    elapsed = datetime.timedelta(0)
    for interval in intervals:
        begin, end = to_utc(interval[0]), to_utc(interval[1])
        if end <= start:
            continue
        begin = max(begin, start)
        if end <= begin:
            continue
        available = end - begin
        while pending and durations[pending[0]] - elapsed <= available:
            index = pending.pop(0)
            results[index] = ceil_to_second(begin + (durations[index] - elapsed))
        if not pending:
            break
        elapsed += available
    return results
