"""One moderation queue (the forum's, /forum/moderation/) linked from the staff console; the
console's own forum pages: the official answer, meeting minutes and docket outcomes."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from impact.models import Facility
from portal.audit.models import StaffAction
from portal.forums import meetings
from portal.forums.models import Answer, DocketItem, Flag, Meeting, PostStatus, Question, Reply

from .conftest import make_user

QUEUE = "/forum/moderation/"


def make_question(author, title="How much gas do the turbines burn each day?", status=PostStatus.PUBLISHED, **extra):
    now = timezone.now()
    return Question.objects.create(
        author=author, title=title, body="Details please.", body_html="<p>Details please.</p>", topic="energy",
        status=status, published_at=now if status == PostStatus.PUBLISHED else None, **extra,
    )


def rows(**filters):
    return list(StaffAction.objects.exclude(kind__in=["login", "logout"]).filter(**filters))


@pytest.fixture
def forum_staff(db):
    """Someone from the facility's staff (the forum's 'staff' group) who gives official answers."""
    return make_user("sam", groups=("staff",), is_staff=True, display_name="Sam (staff)")


@pytest.fixture
def pending(resident):
    return make_question(resident, title="Is the water table dropping?", status=PostStatus.PENDING)


@pytest.fixture
def flagged(resident, another_resident):
    question = make_question(resident, title="Who owns the turbines?")
    Flag.objects.create(question=question, user=another_resident, reason="spam")
    Question.objects.filter(pk=question.pk).update(open_flag_count=1)
    return question


def test_the_console_has_no_queue_of_its_own_and_links_to_the_forums(moderator, staff_client):
    client = staff_client(moderator)
    assert client.get("/admin/moderation/").status_code == 404
    index = client.get("/admin/").content.decode()
    assert f'href="{QUEUE}"' in index and "/admin/moderation/" not in index


def test_the_queue_lists_pending_flagged_and_appealed_posts_but_not_settled_ones(moderator, staff_client, pending, flagged, resident):
    make_question(resident, title="An ordinary published question")
    appealed = make_question(resident, title="Hidden but appealed", status=PostStatus.HIDDEN, reason="spam")
    Question.objects.filter(pk=appealed.pk).update(appeal_text="It was not spam.", appealed_at=timezone.now())
    reply = Reply.objects.create(question=flagged, author=resident, body="Me too", body_html="<p>Me too</p>")
    page = staff_client(moderator).get(QUEUE).content.decode()
    assert "Is the water table dropping?" in page and "Who owns the turbines?" in page
    assert "Hidden but appealed" in page and "It was not spam." in page
    assert f'name="replies" value="{reply.pk}"' in page
    assert "An ordinary published question" not in page
    assert "Questions (3)" in page and "Replies (1)" in page


def test_the_queue_shows_the_oldest_first_up_to_its_limit_and_says_how_many_wait(moderator, staff_client, resident, monkeypatch):
    from portal.forums.views import moderation

    monkeypatch.setattr(moderation, "QUEUE_LIMIT", 2)
    for days, title in ((1, "Newest question waiting"), (3, "Oldest question waiting"), (2, "Middle question waiting")):
        q = make_question(resident, title=title, status=PostStatus.PENDING)
        Question.objects.filter(pk=q.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    page = staff_client(moderator).get(QUEUE).content.decode()
    assert page.index("Oldest question waiting") < page.index("Middle question waiting")
    assert "Newest question waiting" not in page
    assert "Questions (3, the oldest 2 shown)" in page


def test_bulk_approve_publishes_and_writes_one_audit_row_per_post(moderator, staff_client, pending, resident):
    other = make_question(resident, title="And the noise at night?", status=PostStatus.PENDING)
    response = staff_client(moderator).post(QUEUE, {"action": "approve", "questions": [pending.pk, other.pk]}, follow=True)
    assert "Approve (publish): 2 of 2 post(s) changed" in response.content.decode()
    assert set(Question.objects.values_list("status", flat=True)) == {PostStatus.PUBLISHED}
    entries = rows()
    assert sorted(e.object_id for e in entries) == sorted([str(pending.pk), str(other.pk)])
    assert {(e.name, e.door, e.actor) for e in entries} == {("moderate: approve", "page", moderator)}


def test_hiding_or_rejecting_needs_a_reason(moderator, staff_client, flagged):
    page = staff_client(moderator).post(QUEUE, {"action": "hide", "questions": [flagged.pk]})
    assert page.status_code == 400
    assert "Pick a reason" in page.content.decode()
    assert Question.objects.get(pk=flagged.pk).status == PostStatus.PUBLISHED
    assert not rows()


def test_bulk_hide_with_a_reason_and_note_tells_the_author(moderator, staff_client, flagged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client(moderator).post(QUEUE, {"action": "hide", "reason": "spam", "note": "Advertising a product.", "questions": [flagged.pk]})
    flagged.refresh_from_db()
    assert (flagged.status, flagged.reason, flagged.reason_note) == (PostStatus.HIDDEN, "spam", "Advertising a product.")
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert any("Advertising a product." in m.body for m in mail.outbox)
    [entry] = rows()
    assert entry.name == "moderate: hide" and entry.before["status"] == "published" and entry.after["status"] == "hidden"
    assert entry.reason == "spam; Advertising a product."


def test_bulk_reject_with_a_reason(moderator, staff_client, pending):
    staff_client(moderator).post(QUEUE, {"action": "reject", "reason": "off_topic", "questions": [pending.pk]})
    assert Question.objects.get(pk=pending.pk).status == PostStatus.REJECTED


def test_bulk_dismissing_flags_keeps_the_post_and_clears_the_flags(moderator, staff_client, flagged):
    staff_client(moderator).post(QUEUE, {"action": "dismiss", "questions": [flagged.pk]})
    flagged.refresh_from_db()
    assert flagged.status == PostStatus.PUBLISHED and flagged.open_flag_count == 0
    assert [e.name for e in rows()] == ["moderate: dismiss flags"]
    assert "Who owns the turbines?" not in staff_client(moderator).get(QUEUE).content.decode()


def test_appeals_can_be_denied_or_granted_from_the_queue(moderator, staff_client, resident):
    first = make_question(resident, title="Hidden but appealed", status=PostStatus.HIDDEN, reason="spam")
    second = make_question(resident, title="Also appealed", status=PostStatus.REJECTED, reason="off_topic")
    for post in (first, second):
        Question.objects.filter(pk=post.pk).update(appeal_text="It was not spam.", appealed_at=timezone.now(), status_before_hide="published")
    client = staff_client(moderator)
    client.post(QUEUE, {"action": "deny_appeal", "note": "Still advertising.", "questions": [first.pk]})
    client.post(QUEUE, {"action": "restore", "questions": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PostStatus.HIDDEN and first.appeal_decided_at is not None
    assert second.status == PostStatus.PUBLISHED and second.appeal_decided_at is not None
    assert sorted(e.name for e in rows()) == ["moderate: deny appeal", "moderate: restore"]
    assert "Hidden but appealed" not in client.get(QUEUE).content.decode()


def test_forum_staff_without_moderation_see_no_queue(analyst, staff_client):
    assert staff_client(analyst).get(QUEUE).status_code in (403, 302)


# --- The console's forum pages -----------------------------------------------------------------


def test_forum_staff_answer_a_question_on_its_admin_page(forum_staff, staff_client, resident, django_capture_on_commit_callbacks):
    question = make_question(resident)
    client = staff_client(forum_staff)
    url = f"/admin/forums/question/{question.pk}/change/"
    page = client.get(url)
    assert b'name="official_answer"' in page.content
    from .test_facility_editing import form_values

    data = form_values(page)
    data["official_answer"] = "About 2 million cubic feet a day at full output; see the July report."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    answer = Answer.objects.get(question=question)
    assert answer.author == forum_staff and "2 million cubic feet" in answer.body
    assert Question.objects.get(pk=question.pk).status == PostStatus.ANSWERED
    [entry] = rows()
    assert (entry.name, entry.door, entry.actor, entry.object_id) == ("answer question", "admin", forum_staff, str(answer.pk))


def test_moderators_who_are_not_forum_staff_see_no_answer_box(moderator, staff_client, resident):
    question = make_question(resident)
    page = staff_client(moderator).get(f"/admin/forums/question/{question.pk}/change/")
    assert page.status_code == 200
    assert b'name="official_answer"' not in page.content


@pytest.fixture
def held_meeting(resident, db):
    facility = Facility.objects.create(name="Memphis Supercluster", slug="memphis", time_zone="America/Chicago")
    start = timezone.now() + dt.timedelta(days=10)
    meeting = Meeting.objects.create(facility=facility, title="Public forum", starts_at=start, ends_at=start + dt.timedelta(hours=2), place="Library")
    question = make_question(resident, meeting=meeting)
    meetings.freeze_docket(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    StaffAction.objects.all().delete()  # the scheduled freeze is not what these tests are about
    return meeting, question


def test_forum_staff_record_minutes_and_docket_outcomes_through_the_meeting_services(forum_staff, staff_client, held_meeting):
    meeting, question = held_meeting
    item = DocketItem.objects.get(meeting=meeting)
    client = staff_client(forum_staff)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    from .test_facility_editing import form_values

    data = form_values(client.get(url))
    data["minutes"] = "Twelve residents attended. The operator presented the July report."
    data["docket-0-outcome"] = "out_of_scope"
    data["docket-0-outcome_note"] = "About a different site."
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert meeting.minutes.startswith("Twelve residents") and meeting.minutes_recorded_at is not None
    assert (item.outcome, item.outcome_note) == ("out_of_scope", "About a different site.")
    assert sorted((e.name, e.door, e.actor) for e in rows()) == [
        ("record minutes", "admin", forum_staff), ("record outcome", "admin", forum_staff),
    ]


def test_moderators_see_minutes_and_outcomes_but_cannot_record_them(moderator, staff_client, held_meeting):
    meeting, _ = held_meeting
    page = staff_client(moderator).get(f"/admin/forums/meeting/{meeting.pk}/change/").content.decode()
    assert 'name="minutes"' not in page and 'name="docket-0-outcome"' not in page
    assert 'name="title"' in page


def test_an_out_of_scope_outcome_without_a_reason_is_refused_on_the_field(forum_staff, staff_client, held_meeting):
    meeting, _ = held_meeting
    client = staff_client(forum_staff)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    from .test_facility_editing import form_values

    data = form_values(client.get(url))
    data["docket-0-outcome"] = "out_of_scope"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Say why the question is out of scope." in response.content.decode()
    assert DocketItem.objects.get(meeting=meeting).outcome == "pending"
    assert not rows()


# Issue 16: the queue says why a post is there, and a form error keeps the moderator's work.


def test_the_queue_shows_each_flag_reason_with_its_count_and_the_flaggers_notes(moderator, staff_client, flagged, resident, another_resident):
    third = make_user("thea", display_name="Thea")
    Flag.objects.create(question=flagged, user=third, reason="spam", note="Same link posted in five threads.")
    Flag.objects.create(question=flagged, user=resident, reason="off_topic")
    Question.objects.filter(pk=flagged.pk).update(open_flag_count=3)
    reply = Reply.objects.create(question=flagged, author=resident, body="Buy cheap generators here", body_html="")
    Flag.objects.create(reply=reply, user=another_resident, reason="personal_data", note="Names a neighbour's address.")
    Reply.objects.filter(pk=reply.pk).update(open_flag_count=1)
    page = staff_client(moderator).get(QUEUE).content.decode()
    assert "Spam or advertising × 2" in page and "Off-topic × 1" in page
    assert "Same link posted in five threads." in page
    assert "Personal data about someone × 1" in page and "Names a neighbour&#x27;s address." in page


def test_hiding_for_another_reason_needs_a_note_shown_beside_the_note_field(moderator, staff_client, flagged):
    page = staff_client(moderator).post(QUEUE, {"action": "hide", "reason": "other", "questions": [flagged.pk]})
    assert page.status_code == 400
    html = page.content.decode()
    note_field = html.index('name="note"')
    assert "say why in the note" in html[note_field:note_field + 600]
    assert Question.objects.get(pk=flagged.pk).status == PostStatus.PUBLISHED and not rows()
    staff_client(moderator).post(QUEUE, {"action": "hide", "reason": "other", "note": "Copied from a press release.", "questions": [flagged.pk]})
    assert Question.objects.get(pk=flagged.pk).reason_note == "Copied from a press release."


def test_a_refused_decision_keeps_the_ticked_posts_ticked(moderator, staff_client, flagged, pending, resident):
    reply = Reply.objects.create(question=flagged, author=resident, body="Me too", body_html="")
    Reply.objects.filter(pk=reply.pk).update(status=PostStatus.PENDING)
    html = staff_client(moderator).post(QUEUE, {"action": "hide", "questions": [flagged.pk], "replies": [reply.pk]}).content.decode()
    assert f'value="{flagged.pk}" id="q-{flagged.pk}" checked' in html
    assert f'value="{pending.pk}" id="q-{pending.pk}" checked' not in html
    assert f'value="{reply.pk}" id="r-{reply.pk}" checked' in html
