"""Filters any app's FilterSets share: times read as UTC, ids that cannot overflow a query.

Every filter carries a help text: drf-spectacular turns it into the parameter's description in
/api/schema/. A value that does not parse is refused with a 400 naming the parameter.
"""

import datetime as dt

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime


class UTCDateTimeField(forms.DateTimeField):
    """An ISO 8601 date or time; one without an offset is UTC (Django's own field would use local time)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        try:
            parsed = parse_datetime(text)
            if parsed is None and (day := parse_date(text)) is not None:
                parsed = dt.datetime.combine(day, dt.time())
            if parsed is not None:
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.timezone.utc)
                # Normalise now: an offset near year 1 or 9999 overflows here, not in the database.
                return parsed.astimezone(dt.timezone.utc)
        except (ValueError, OverflowError):
            pass
        raise ValidationError(
            "Give an ISO 8601 date or time, e.g. 2024-07-01 or 2024-07-01T06:00:00Z.", code="invalid"
        )


class UTCDateTimeFilter(filters.Filter):
    field_class = UTCDateTimeField


class IdFilter(filters.NumberFilter):
    """A whole-number id; anything else (or one beyond a 64-bit integer) is a 400, not a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
