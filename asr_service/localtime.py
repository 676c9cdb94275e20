"""Times as the operator's people read them: in one time zone (``ASR_TIMEZONE``), French formats.

Everything is stored and sent in UTC (database, bus, JSON); pages and documents show local time in
the zone of the :class:`~asr_service.config.Settings` field ``timezone`` (default
``Europe/Paris``, daylight saving time included, from the IANA database: the system's or the
``tzdata`` wheel). Days typed in a page are read as ``JJ/MM/AAAA`` (what a French clerk writes
and what the error message asks for); ``AAAA-MM-JJ`` is also accepted so links built by scripts
or older pages keep working.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

DEFAULT_TIMEZONE = "Europe/Paris"
DAY_FORMAT = "JJ/MM/AAAA"
DAY_ERROR = f"Date invalide : utilisez le format {DAY_FORMAT}."
"""The message a page shows for a day it cannot read (it names the format the field asks for)."""

_FRENCH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def zone(name: str | tzinfo = DEFAULT_TIMEZONE) -> tzinfo:
    """The time zone called ``name`` (an IANA name such as ``Europe/Paris``); ValueError if unknown."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Paris'"
        ) from exc


def _check_zone(name: str) -> str:
    zone(name)
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
"""A settings value that must name an IANA time zone (checked when the settings load)."""


def local(moment: datetime, tz: str | tzinfo = DEFAULT_TIMEZONE) -> datetime:
    """``moment`` in ``tz``; a naive datetime is taken as UTC (what the database returns)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(tz))


def format_datetime(moment: datetime | None, tz: str | tzinfo = DEFAULT_TIMEZONE) -> str:
    """``06/12/2026 10:15`` in ``tz`` (a dash for no time, as the pages show missing values)."""
    if moment is None:
        return "—"
    return local(moment, tz).strftime("%d/%m/%Y %H:%M")


def format_datetime_long(moment: datetime, tz: str | tzinfo = DEFAULT_TIMEZONE) -> str:
    """``06/12/2026 à 10:15`` in ``tz``, for a sentence in a document ("Transcrit le …")."""
    return local(moment, tz).strftime("%d/%m/%Y à %H:%M")


def parse_day(text: str) -> date:
    """The day written ``JJ/MM/AAAA`` (or ``AAAA-MM-JJ``); ValueError with :data:`DAY_ERROR`."""
    value = text.strip()
    try:
        if match := _FRENCH_DAY.fullmatch(value):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if _ISO_DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass  # 31/02/2026: the right shape, not a day
    raise ValueError(DAY_ERROR)


def format_day(day: date | None) -> str:
    """``06/12/2026`` (empty for no day): how a page writes back a day it was given."""
    return day.strftime("%d/%m/%Y") if day else ""
