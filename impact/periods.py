"""Report periods as residents name them: "2024-07", "2024-Q3", "2024", "2024-07-01..2024-07-15".

Dates are local to the facility; the end is exclusive (the day after the last day covered).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from impact.labels import month_abbr, month_year

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
YEAR_RE = re.compile(r"^(\d{4})$")
CUSTOM_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# The longest span a single report may cover; longer ones are split by the analyst.
MAX_DAYS = 366 * 5


def _day(date):
    """ "1 Jul 2024", the month's short name in the active language."""
    return f"{date.day} {month_abbr(date.month)} {date.year}"


class PeriodError(ValueError):
    """A period text that cannot be understood; the message says what is accepted."""


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # month / quarter / year / custom (impact.models.PeriodKind values)
    key: str  # canonical text, used in URLs
    start: dt.date
    end: dt.date  # exclusive

    @property
    def label(self):
        """The period in words, in the active language: "July 2024", "Q3 2024", "1 Jul 2024 – 15 Jul 2024"."""
        if self.kind == "month":
            return month_year(self.start.month, self.start.year)
        if self.kind == "quarter":
            return gettext("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return str(self.start.year)
        last = self.end - dt.timedelta(days=1)
        return f"{_day(self.start)} – {_day(last)}"

    @property
    def days(self):
        return (self.end - self.start).days


def _add_months(day, months):
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, 1)


def parse_period(text):
    """Parse a period text into a :class:`ReportPeriod`, or raise :class:`PeriodError`.

    Years outside settings.IMPACT_PERIOD_YEARS (2000–2100 unless set) are refused here, before
    any query: 9999-12 would overflow the date arithmetic, 0001-01 has no climate or grid data.
    """
    period = _parse(text)
    first_year, last_year = settings.IMPACT_PERIOD_YEARS
    last_day = period.end - dt.timedelta(days=1)
    if period.start.year < first_year or last_day.year > last_year:
        raise PeriodError(
            f"{period.key!r} is outside the years reports cover ({first_year}–{last_year})."
        )
    return period


def _parse(text):
    raw = (text or "").strip()
    try:
        if m := MONTH_RE.match(raw):
            start = dt.date(int(m[1]), int(m[2]), 1)
            if start.year >= 9999:
                raise PeriodError(f"{raw!r}: the year {start.year} has no following month.")
            return ReportPeriod("month", f"{start:%Y-%m}", start, _add_months(start, 1))
        if m := QUARTER_RE.match(raw):
            start = dt.date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1)
            if start.year >= 9999:
                raise PeriodError(f"{raw!r}: the year {start.year} has no following quarter.")
            return ReportPeriod("quarter", f"{start.year}-Q{m[2]}", start, _add_months(start, 3))
        if m := YEAR_RE.match(raw):
            start = dt.date(int(m[1]), 1, 1)
            if start.year >= 9999:
                raise PeriodError(f"{raw!r}: the year {start.year} has no following year.")
            return ReportPeriod("year", m[1], start, dt.date(start.year + 1, 1, 1))
        if m := CUSTOM_RE.match(raw):
            start, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if last < start:
                raise PeriodError(f"{raw!r}: the last day {last} comes before the first day {start}.")
            if last.year >= 9999:
                raise PeriodError(f"{raw!r}: the last day must be before the year 9999.")
            end = last + dt.timedelta(days=1)
            if (end - start).days > MAX_DAYS:
                raise PeriodError(f"{raw!r}: a custom period may cover at most {MAX_DAYS} days.")
            return ReportPeriod("custom", f"{start}..{last}", start, end)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"{raw!r} is not a real date: {exc}.") from None
    raise PeriodError(
        f"{raw!r} is not a period. Use a month (2024-07), a quarter (2024-Q3), a year (2024) "
        "or first..last days (2024-07-01..2024-07-15)."
    )


def previous_month(today):
    """The month before the one containing ``today`` (for the monthly schedule)."""
    first = today.replace(day=1)
    return parse_period(f"{_add_months(first, -1):%Y-%m}")
