"""Moderator decisions: who may make them, what the author is told, appeals, the audit log."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.audit.models import StaffAction
from portal.forums import services
from portal.forums.models import ModerationAction, PostStatus


@pytest.fixture
def pending(resident, make_question):
    return make_question(resident, title="Why is the air hazy near Boxtown?", status=PostStatus.PENDING)


def test_a_moderator_approves_a_pending_question(pending, moderator):
    assert services.approve_post(pending, moderator) is True
    assert pending.status == PostStatus.PUBLISHED and pending.published_at
    assert services.approve_post(pending, moderator) is False, "approving twice changes nothing"


@pytest.mark.parametrize("persona", ["resident", "another_resident"])
def test_residents_cannot_approve_hide_or_reject(pending, question, persona, request):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.approve_post(pending, person)
    with pytest.raises(PermissionDenied):
        services.hide_post(question, person, "spam")
    with pytest.raises(PermissionDenied):
        services.reject_post(pending, person, "spam")


def test_anonymous_posting_a_decision_is_sent_to_log_in(anonymous, pending):
    response = anonymous.post(f"/forum/question/{pending.pk}/moderate/", {"action": "approve"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == PostStatus.PENDING


def test_a_resident_posting_a_decision_changes_nothing(login, another_resident, pending):
    login(another_resident).post(f"/forum/question/{pending.pk}/moderate/", {"action": "approve"})
    pending.refresh_from_db()
    assert pending.status == PostStatus.PENDING


def test_hiding_needs_a_reason_and_the_author_is_told_it(question, moderator, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        services.hide_post(question, moderator, "")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.hide_post(question, moderator, "personal_data", "It names a neighbour's address.")
    assert question.status == PostStatus.HIDDEN
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [question.author.email]
    assert "Personal data" in mail.outbox[0].body and "neighbour's address" in mail.outbox[0].body
    assert "appeal" in mail.outbox[0].body


def test_a_hidden_question_disappears_from_the_public_list(anonymous, question, moderator):
    services.hide_post(question, moderator, "offensive")
    assert anonymous.get(question.get_absolute_url()).status_code == 404
    assert question.title not in anonymous.get("/forum/").content.decode()


def test_the_author_sees_the_reason_on_the_page(login, question, resident, moderator):
    services.hide_post(question, moderator, "off_topic", "Please ask the county about potholes.")
    page = login(resident).get(question.get_absolute_url()).content.decode()
    assert "Off-topic" in page and "potholes" in page and "Appeal" in page


def test_restoring_returns_a_hidden_answered_question_to_answered(question, moderator, staff_member):
    services.answer_question(question, staff_member, "We publish hourly data.")
    services.hide_post(question, moderator, "spam")
    assert services.restore_post(question, moderator)
    assert question.status == PostStatus.ANSWERED


def test_rejecting_a_pending_question(pending, moderator):
    assert services.reject_post(pending, moderator, "duplicate", "See question 12.")
    assert pending.status == PostStatus.REJECTED
    assert services.reject_post(pending, moderator, "duplicate") is False


def test_a_published_question_cannot_be_rejected_only_hidden(question, moderator):
    assert services.reject_post(question, moderator, "spam") is False
    assert question.status == PostStatus.PUBLISHED


def test_the_author_can_appeal_once(login, pending, resident, moderator):
    services.reject_post(pending, moderator, "off_topic")
    client = login(resident)
    client.post(f"/forum/question/{pending.pk}/appeal/", {"text": "It is about the plant's trucks."})
    pending.refresh_from_db()
    assert pending.appeal_pending
    with pytest.raises(PermissionDenied, match="once"):
        services.appeal_post(pending, resident, "Again!")


def test_someone_else_cannot_appeal(pending, another_resident, moderator):
    services.reject_post(pending, moderator, "spam")
    with pytest.raises(PermissionDenied):
        services.appeal_post(pending, another_resident, "Let it be.")


def test_an_upheld_appeal_restores_and_a_denied_one_tells_the_author(pending, resident, moderator, make_question, django_capture_on_commit_callbacks):
    services.reject_post(pending, moderator, "off_topic")
    services.appeal_post(pending, resident, "It is on topic.")
    assert services.restore_post(pending, moderator)
    assert pending.status == PostStatus.PUBLISHED and not pending.appeal_pending

    other = make_question(resident, title="Another one for the appeal test", status=PostStatus.PENDING)
    services.reject_post(other, moderator, "spam")
    services.appeal_post(other, resident, "Not spam.")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deny_appeal(other, moderator, "Links to a shop.")
    assert other.status == PostStatus.REJECTED and not other.appeal_pending and not other.can_appeal
    assert "decision stands" in mail.outbox[-1].body


def test_every_decision_is_in_the_audit_log_with_before_and_after(pending, moderator):
    services.approve_post(pending, moderator)
    services.hide_post(pending, moderator, "spam", "ad")
    services.restore_post(pending, moderator)
    log = [(e.name, e.before["status"], e.after["status"], e.actor_id, e.reason) for e in StaffAction.objects.order_by("id")]
    assert log == [
        ("moderate: approve", "pending", "published", moderator.pk, ""),
        ("moderate: hide", "published", "hidden", moderator.pk, "spam; ad"),
        ("moderate: restore", "hidden", "published", moderator.pk, ""),
    ]
    # The forum's own record of the same decisions, which its public report counts.
    record = list(ModerationAction.objects.order_by("id").values_list("kind", "from_status", "to_status", "actor_id"))
    assert record == [
        ("approve", "pending", "published", moderator.pk),
        ("hide", "published", "hidden", moderator.pk),
        ("restore", "hidden", "published", moderator.pk),
    ]


def test_the_audit_log_page_is_for_moderators_only(login, resident, moderator):
    assert login(resident).get("/forum/moderation/log/").status_code == 403
    assert login(moderator).get("/forum/moderation/log/").status_code == 200


def test_the_forum_audit_log_page_reads_the_staff_audit_log(login, moderator, staff_member, question, pending):
    services.approve_post(pending, moderator, "Fine.")
    services.answer_question(question, staff_member, "Every hour.")
    client = login(moderator)
    page = client.get("/forum/moderation/log/").content.decode()
    assert "moderate: approve" in page and "answer question" in page and "sam" in page
    assert "status: pending → published" in page
    only = client.get("/forum/moderation/log/?name=answer+question").content.decode()
    assert "answer question" in only and "moderate: approve</td>" not in only


def test_the_queue_applies_one_decision_to_many_posts(login, resident, moderator, make_question, make_reply, question):
    first = make_question(resident, title="First pending question on jobs", status=PostStatus.PENDING)
    second = make_question(resident, title="Second pending question on jobs", status=PostStatus.PENDING)
    reply = make_reply(question, resident, status=PostStatus.PENDING)
    client = login(moderator)
    page = client.get("/forum/moderation/").content.decode()
    assert first.title in page and second.title in page
    response = client.post("/forum/moderation/", {"action": "approve", "questions": [first.pk, second.pk], "replies": [reply.pk]})
    assert response.status_code == 302
    for post in (first, second, reply):
        post.refresh_from_db()
        assert post.status == PostStatus.PUBLISHED


def test_bulk_reject_without_a_reason_is_refused_and_nothing_changes(login, resident, moderator, make_question):
    first = make_question(resident, title="Pending question about traffic", status=PostStatus.PENDING)
    response = login(moderator).post("/forum/moderation/", {"action": "reject", "questions": [first.pk]})
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == PostStatus.PENDING


def test_the_queue_is_closed_to_residents(login, resident):
    assert login(resident).get("/forum/moderation/").status_code == 403


def test_the_public_moderation_report_counts_by_reason_and_month(anonymous, moderator, resident, make_question):
    for n, reason in enumerate(["spam", "spam", "offensive"]):
        q = make_question(resident, title=f"Question {n} to be hidden today")
        services.hide_post(q, moderator, reason)
    services.restore_post(q, moderator)
    page = anonymous.get("/forum/moderation/report/").content.decode()
    assert "3 hidden, 0 rejected, 1 restored" in page
    assert "Spam or advertising" in page


def test_closing_and_reopening_by_staff_but_not_by_residents(question, resident, staff_member):
    with pytest.raises(PermissionDenied):
        services.close_question(question, resident)
    assert services.close_question(question, staff_member)
    assert question.status == PostStatus.CLOSED
    with pytest.raises(PermissionDenied):
        services.reply_to_question(question, resident, "Still?")
    assert services.reopen_question(question, staff_member)
    assert question.status == PostStatus.PUBLISHED


def test_pending_replies_are_approved_like_questions(question, another_resident, moderator):
    reply = services.reply_to_question(question, another_resident, "Me too, in Westwood.")
    assert reply.status == PostStatus.PENDING
    assert question.reply_count == 0
    services.approve_post(reply, moderator)
    question.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED and question.reply_count == 1


def test_the_author_hears_when_a_pending_question_is_published(pending, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_post(pending, moderator)
    assert len(mail.outbox) == 1
    assert "it is now published" in mail.outbox[0].body
    assert "Reason" not in mail.outbox[0].body


@pytest.mark.parametrize("verb", ["hide_post", "reject_post"])
def test_another_reason_without_a_note_is_refused_whichever_door_calls(verb, moderator, make_question, resident):
    post = make_question(resident, status=PostStatus.PENDING if verb == "reject_post" else PostStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="say why in the note"):
        getattr(services, verb)(post, moderator, "other", "  ")
    assert not StaffAction.objects.filter(name__startswith="moderate:").exists()
    assert getattr(services, verb)(post, moderator, "other", "Copied from a press release.")
