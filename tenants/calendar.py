"""China's calendar: the one "today" of the codebase, and the instants a China date starts and ends.

China has one time zone and no daylight saving, so "today" for a civil servant is the date at UTC+8. A
fixed offset rather than a tz database lookup: none is needed, also inside the Temporal workflow sandbox.
Request code asks :func:`today`; workflow code passes ``workflow.now()`` to :func:`china_today` so that
replay sees the same date.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

CHINA_TIME: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def china_today(now: dt.datetime) -> dt.date:
    """The date in China at the aware instant ``now`` (in a workflow: ``workflow.now()``)."""
    return now.astimezone(CHINA_TIME).date()


def today() -> dt.date:
    """Today's date in China, which "not in the future" and "this year" are measured against."""
    return china_today(dt.datetime.now(dt.UTC))


def year_start(year: int) -> dt.datetime:
    """Midnight of 1 January of `year` in China, as an aware UTC time (timers count from workflow.now())."""
    return dt.datetime(year, 1, 1, tzinfo=CHINA_TIME).astimezone(dt.UTC)


def day_start(day: dt.date) -> dt.datetime:
    """The start of `day` in China (its midnight), as an aware UTC time."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA_TIME).astimezone(dt.UTC)


def day_end(day: dt.date) -> dt.datetime:
    """The end of `day` in China (midnight after it), as an aware UTC time."""
    return day_start(day) + dt.timedelta(days=1)
