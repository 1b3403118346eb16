"""The forum's ViewSets: public questions and meetings, read-only, JSON or CSV (portal.core.api.views)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from portal.core.api.views import FORMAT_PARAMETER, ReadViewSet
from portal.forums.api import filters
from portal.forums.api import serializers as s
from portal.forums.models import PUBLIC_STATUSES, DocketItem, Meeting, Question


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class QuestionViewSet(ReadViewSet):
    """Public questions (published, answered, closed) with their official answers; never pending or hidden ones."""

    queryset = Question.objects.filter(status__in=PUBLIC_STATUSES).select_related("author", "answer__author")
    serializer_class = s.QuestionSerializer
    filterset_class = filters.QuestionFilter
    ordering_fields = ["created_at", "vote_count", "answered_at"]
    csv_name = "questions"


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class MeetingViewSet(ReadViewSet):
    """Public forum meetings with their docket and the outcome of each question."""

    queryset = Meeting.objects.select_related("facility").prefetch_related(
        Prefetch("docket", queryset=DocketItem.objects.select_related("question").order_by("position"))
    )
    serializer_class = s.MeetingSerializer
    filterset_class = filters.MeetingFilter
    ordering_fields = ["starts_at"]
    csv_name = "meetings"
