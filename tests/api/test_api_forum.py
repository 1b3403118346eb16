"""Public questions with official answers, and meetings with their docket and outcomes."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.forums import meetings as meeting_services
from portal.forums import services as forum_services
from portal.forums.models import DocketItem, Meeting, PostStatus, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(resident):
    """A question put straight into a state (the forum's own tests cover how it gets there)."""

    def _ask(title, status=PostStatus.PUBLISHED, **extra):
        public = status in (PostStatus.PUBLISHED, PostStatus.ANSWERED, PostStatus.CLOSED)
        question = Question.objects.create(
            author=resident, title=title, body="Details.", body_html="<p>Details.</p>", topic=extra.pop("topic", "air"),
            status=status, published_at=timezone.now() if public else None, **extra,
        )
        forum_services.sync_question(question)
        return question

    return _ask


@pytest.fixture
def questions(ask, analyst, memphis):
    answered = ask("How much NOx do the turbines emit?")
    forum_services.answer_question(answered, analyst, "About **23 t** in the first two days of July 2024.")
    return {
        "answered": answered,
        "open": ask("Where does the cooling water come from?", topic="water"),
        "pending": ask("Pending review", status=PostStatus.PENDING),
        "hidden": ask("Hidden by a moderator", status=PostStatus.HIDDEN),
        "rejected": ask("Rejected as spam", status=PostStatus.REJECTED),
    }


def test_it_lists_only_public_questions(questions, api):
    titles = {q["title"] for q in api.get("/api/v1/questions/").json()["results"]}
    assert titles == {questions["answered"].title, questions["open"].title}


@pytest.mark.parametrize("state", ["pending", "hidden", "rejected"])
def test_anonymous_cannot_open_a_question_that_is_not_public(questions, api, state):
    assert api.get(f"/api/v1/questions/{questions[state].pk}/").status_code == 404


def test_staff_get_public_questions_only_too(questions, staff_api):
    assert staff_api.get("/api/v1/questions/").json()["count"] == 2


def test_a_question_carries_its_official_answer(questions, api):
    data = api.get(f"/api/v1/questions/{questions['answered'].pk}/").json()
    assert data["status"] == "answered"
    assert "23 t" in data["answer"]["body"]
    assert "<strong>23 t</strong>" in data["answer"]["body_html"]
    assert data["answer"]["author_name"] == "Analyst Ana"
    assert data["answer"]["created_at"].endswith("Z")
    assert data["author_name"] == "Rosa P."
    assert "email" not in data and "rosa@example.org" not in str(data)


def test_it_filters_questions(questions, api):
    assert api.get("/api/v1/questions/", {"answered": "true"}).json()["count"] == 1
    assert api.get("/api/v1/questions/", {"topic": "water"}).json()["count"] == 1
    assert api.get("/api/v1/questions/", {"search": "nox"}).json()["count"] == 1
    assert api.get("/api/v1/questions/", {"status": "hidden"}).status_code == 400, "not a public state"


def test_it_exports_questions_as_csv(questions, api, csv_rows):
    rows = csv_rows(api.get("/api/v1/questions/", {"format": "csv"}))
    assert len(rows) == 3
    assert "answer" in rows[0]


def test_anonymous_cannot_write_questions(questions, api):
    assert api.post("/api/v1/questions/", {"title": "x"}).status_code in (401, 405)


@pytest.fixture
def meeting(memphis, ask, analyst, moderator):
    start = timezone.now() + dt.timedelta(days=10)
    meeting = Meeting.objects.create(
        facility=memphis, title="Public forum, Boxtown", starts_at=start, ends_at=start + dt.timedelta(hours=2),
        place="Mitchell Community Center",
    )
    first = ask("Will the turbines get SCR?", meeting=meeting)
    second = ask("How loud is it at night?", meeting=meeting, topic="noise")
    meeting_services.freeze_docket(meeting, actor=analyst)
    item = DocketItem.objects.get(meeting=meeting, question=first)
    meeting_services.record_outcome(item, analyst, DocketItem.Outcome.OUT_OF_SCOPE, note="A permit matter for the county.")
    forum_services.hide_post(second, moderator, "off_topic")
    return meeting


def test_a_meeting_lists_its_docket_and_outcomes(meeting, api):
    data = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert data["facility"] == "memphis-supercluster"
    assert data["starts_at"].endswith("Z")
    assert data["docket_frozen_at"]
    first, second = data["docket"]
    assert first["position"] == 1 and first["question_title"] == "Will the turbines get SCR?"
    assert first["outcome"] == "out_of_scope" and first["outcome_note"]


def test_a_hidden_question_on_a_docket_shows_no_title(meeting, api):
    item = api.get(f"/api/v1/meetings/{meeting.pk}/").json()["docket"][1]
    assert item["question"] is None and item["question_title"] == ""


def test_it_filters_meetings(meeting, api, csv_rows):
    assert api.get("/api/v1/meetings/", {"upcoming": "true"}).json()["count"] == 1
    assert api.get("/api/v1/meetings/", {"upcoming": "false"}).json()["count"] == 0
    assert api.get("/api/v1/meetings/", {"facility": "elsewhere"}).json()["count"] == 0
    assert api.get("/api/v1/meetings/", {"starts_after": "tomorrow"}).status_code == 400
    rows = csv_rows(api.get("/api/v1/meetings/", {"format": "csv"}))
    assert len(rows) == 2 and "docket" in rows[0]
