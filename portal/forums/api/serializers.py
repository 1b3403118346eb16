"""Serializers of the forum's endpoints: public questions, official answers, meetings and their docket.

Fields are listed by name and every field carries a description; times are ISO 8601 in UTC.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.core.api.serializers import DescribedModelSerializer, UTCDateTimeField, absolute
from portal.forums.models import PUBLIC_STATUSES, Answer, DocketItem, Meeting, Question


class AnswerSerializer(serializers.ModelSerializer):
    """The official answer, given by staff."""

    author_name = serializers.CharField(source="author.public_name", read_only=True, help_text="Who answered (public name).")
    created_at = UTCDateTimeField(read_only=True, help_text="When it was answered (UTC).")
    revised_at = UTCDateTimeField(read_only=True, allow_null=True, help_text="Last revision (UTC), if revised.")

    class Meta:
        model = Answer
        fields = ["body", "body_html", "author_name", "report_version", "created_at", "revised_at"]
        extra_kwargs = {
            "body": {"help_text": "The answer in Markdown."},
            "body_html": {"help_text": "The answer as sanitised HTML."},
            "report_version": {"help_text": "Report version id the answer relies on, if any."},
        }


class QuestionSerializer(DescribedModelSerializer):
    """A public question (published, answered or closed) with its official answer."""

    url = serializers.SerializerMethodField(help_text="This question in the API.")
    page_url = serializers.SerializerMethodField(help_text="The question's page on the forum.")
    author_name = serializers.CharField(source="author.public_name", read_only=True, help_text="Who asked (public name).")
    answer = serializers.SerializerMethodField(help_text="The official answer, or null while unanswered.")

    class Meta:
        model = Question
        fields = [
            "id", "url", "page_url", "title", "topic", "status", "body", "body_html", "author_name", "created_at",
            "published_at", "answered_at", "closed_at", "vote_count", "reply_count", "report_version", "chart_key",
            "window_start", "window_end", "meeting", "answer",
        ]
        extra_kwargs = {
            "title": {"help_text": "The question in one line."},
            "topic": {"help_text": "Topic: energy, air, water, noise, traffic, jobs, other."},
            "status": {"help_text": "published (open), answered or closed."},
            "body": {"help_text": "Details in Markdown."},
            "body_html": {"help_text": "Details as sanitised HTML."},
            "created_at": {"help_text": "When it was asked (UTC)."},
            "published_at": {"help_text": "When it became public (UTC)."},
            "answered_at": {"help_text": "When it was answered (UTC)."},
            "closed_at": {"help_text": "When it was closed (UTC)."},
            "vote_count": {"help_text": "Residents who have this question too."},
            "reply_count": {"help_text": "Public replies."},
            "report_version": {"help_text": "Report version id the question is about, if any."},
            "chart_key": {"help_text": "Chart of that report the question points at, if any."},
            "window_start": {"help_text": "First day of the time window asked about (local date)."},
            "window_end": {"help_text": "Last day of the window, inclusive (local date)."},
            "meeting": {"help_text": "Meeting id the question was submitted for, if any."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute(self.context.get("request"), reverse("api:question-detail", args=[obj.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, obj):
        answer = getattr(obj, "answer", None)  # the reverse one-to-one raises AttributeError when absent
        return AnswerSerializer(answer, context=self.context).data if answer is not None else None


class DocketItemSerializer(DescribedModelSerializer):
    """A question on a meeting's frozen docket and what became of it."""

    question = serializers.SerializerMethodField(help_text="Question id; null if the question is no longer public.")
    question_title = serializers.SerializerMethodField(help_text="The question; empty if it is no longer public.")

    class Meta:
        model = DocketItem
        fields = ["position", "question", "question_title", "votes_at_freeze", "outcome", "outcome_note", "written_answer_due"]
        extra_kwargs = {
            "position": {"help_text": "Place on the docket, 1 first (most votes)."},
            "votes_at_freeze": {"help_text": "Votes when the docket was frozen."},
            "outcome": {"help_text": "What became of it: pending, answered_live, written_due, out_of_scope, not_reached."},
            "outcome_note": {"help_text": "What was said, or why it is out of scope."},
            "written_answer_due": {"help_text": "Date a written answer is due (local date)."},
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_question(self, obj):
        return obj.question_id if obj.question.status in PUBLIC_STATUSES else None

    @extend_schema_field(serializers.CharField())
    def get_question_title(self, obj):
        return obj.question.title if obj.question.status in PUBLIC_STATUSES else ""


class MeetingSerializer(DescribedModelSerializer):
    """A public forum meeting with its docket and outcomes."""

    url = serializers.SerializerMethodField(help_text="This meeting in the API.")
    page_url = serializers.SerializerMethodField(help_text="The meeting's page on the forum.")
    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Facility slug.")
    docket = DocketItemSerializer(many=True, read_only=True, help_text="The frozen docket in order; empty before the freeze.")

    class Meta:
        model = Meeting
        fields = [
            "id", "url", "page_url", "facility", "title", "starts_at", "ends_at", "place", "online_url", "agenda",
            "minutes", "is_cancelled", "docket_frozen_at", "minutes_recorded_at", "docket",
        ]
        extra_kwargs = {
            "title": {"help_text": "Meeting title."},
            "starts_at": {"help_text": "Start (UTC)."},
            "ends_at": {"help_text": "End (UTC), if set."},
            "online_url": {"help_text": "Link to join online; empty if none."},
            "is_cancelled": {"help_text": "true if the meeting was cancelled."},
            "docket_frozen_at": {"help_text": "When the docket was frozen (UTC); null before."},
            "minutes_recorded_at": {"help_text": "When the minutes were recorded (UTC); null before."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute(self.context.get("request"), reverse("api:meeting-detail", args=[obj.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())
