"""FilterSets for the forum's models, served by /api/v1/questions/ and /api/v1/meetings/.

The forum's HTML lists can import them to filter alike (one FilterSet per model).
"""

import django_filters as filters
from django.utils import timezone

from portal.core.filters import IdFilter, UTCDateTimeFilter
from portal.forums.models import PUBLIC_STATUSES, Meeting, Question, Topic

PUBLIC_STATUS_CHOICES = [(s.value, s.label) for s in PUBLIC_STATUSES]


class QuestionFilter(filters.FilterSet):
    topic = filters.ChoiceFilter(choices=Topic.choices, help_text="Topic: energy, air, water, noise, traffic, jobs, other.")
    status = filters.ChoiceFilter(choices=PUBLIC_STATUS_CHOICES, help_text="published, answered or closed.")
    answered = filters.BooleanFilter(
        field_name="answer", lookup_expr="isnull", exclude=True, help_text="true: questions with an official answer."
    )
    meeting = IdFilter(field_name="meeting_id", help_text="Meeting id the question was submitted for.")
    report_version = IdFilter(field_name="report_version_id", help_text="Report version id the question is about.")
    facility = filters.CharFilter(
        field_name="report_version__report__facility__slug", help_text="Facility slug of the report asked about."
    )
    asked_after = UTCDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Asked at or after this ISO 8601 time."
    )
    asked_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt", help_text="Asked before this ISO 8601 time.")
    search = filters.CharFilter(field_name="title", lookup_expr="icontains", help_text="Words in the title, any case.")

    class Meta:
        model = Question
        fields = [
            "topic", "status", "answered", "meeting", "report_version", "facility", "asked_after", "asked_before", "search",
        ]


class MeetingFilter(filters.FilterSet):
    facility = filters.CharFilter(field_name="facility__slug", help_text="Facility slug.")
    upcoming = filters.BooleanFilter(method="filter_upcoming", help_text="true: meetings still to come; false: past ones.")
    starts_after = UTCDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Starting at or after this ISO 8601 time."
    )
    starts_before = UTCDateTimeFilter(field_name="starts_at", lookup_expr="lt", help_text="Starting before this ISO 8601 time.")
    is_cancelled = filters.BooleanFilter(help_text="true: cancelled meetings only; false: held or planned ones.")

    class Meta:
        model = Meeting
        fields = ["facility", "upcoming", "starts_after", "starts_before", "is_cancelled"]

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(starts_at__gte=now) if value else queryset.filter(starts_at__lt=now)
