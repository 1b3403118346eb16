"""The staff console: forum models are listed, and bulk actions go through the services."""

import pytest

from portal.audit.models import StaffAction
from portal.forums.models import ModerationAction, PostStatus


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    """The staff console asks for a one-time code; these tests are about the forum's admin classes."""
    settings.STAFF_REQUIRE_OTP = False


@pytest.mark.parametrize("model", ["question", "reply", "flag", "meeting", "notification"])
def test_the_admin_lists_forum_models(login, administrator, question, model):
    assert login(administrator).get(f"/admin/forums/{model}/").status_code == 200


def test_bulk_hide_with_a_reason_is_logged_and_told(login, administrator, question, make_question, resident, django_capture_on_commit_callbacks):
    other = make_question(resident, title="Another question for bulk hiding")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(administrator).post(
            "/admin/forums/question/", {"action": "hide_spam", "_selected_action": [question.pk, other.pk]}
        )
    assert response.status_code == 302
    for q in (question, other):
        q.refresh_from_db()
        assert (q.status, q.reason) == (PostStatus.HIDDEN, "spam")
    assert ModerationAction.objects.filter(kind="hide", actor=administrator).count() == 2
    rows = StaffAction.objects.filter(name="moderate: hide")
    assert sorted(rows.values_list("object_id", flat=True)) == sorted([str(question.pk), str(other.pk)])
    assert set(rows.values_list("door", "actor")) == {("admin", administrator.pk)}


def test_bulk_approve_from_the_admin(login, administrator, make_question, resident):
    pending = make_question(resident, title="Pending question for the admin", status=PostStatus.PENDING)
    login(administrator).post("/admin/forums/question/", {"action": "approve", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == PostStatus.PUBLISHED


def test_the_forums_moderation_record_is_no_second_audit_log_in_the_admin(login, administrator, question, moderator):
    # Staff read the one audit log (admin › Audit log); the forum's record feeds its public report.
    from portal.forums import services

    services.hide_post(question, moderator, "spam")
    client = login(administrator)
    assert client.get("/admin/forums/moderationaction/").status_code == 404
    assert client.get("/admin/audit/staffaction/").status_code == 200
    assert ModerationAction.objects.count() == StaffAction.objects.filter(name="moderate: hide").count() == 1


def test_editing_a_body_in_the_admin_re_renders_it(login, administrator, question):
    data = {
        "title": question.title, "body": "**Edited** to remove a phone number.", "topic": "energy",
        "chart_key": "", "created_at_0": "2025-01-01", "created_at_1": "10:00:00",
        "author": question.author_id, "report_version": "", "meeting": "", "window_start": "", "window_end": "",
        "answer-TOTAL_FORMS": "0", "answer-INITIAL_FORMS": "0", "answer-MIN_NUM_FORMS": "0", "answer-MAX_NUM_FORMS": "1",
    }
    response = login(administrator).post(f"/admin/forums/question/{question.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert "<strong>Edited</strong>" in question.body_html


def test_an_email_given_up_on_can_be_sent_again_from_the_admin(login, administrator, question, resident, staff_member, django_capture_on_commit_callbacks):
    from django.core import mail

    from portal.forums import notifications, services
    from portal.forums.models import Notification

    with django_capture_on_commit_callbacks(execute=False):
        services.answer_question(question, staff_member, "About 610 hours each.")
    Notification.objects.update(attempts=notifications.MAX_ATTEMPTS, last_error="SMTPException: 554 no")
    row = Notification.objects.get(user=resident)
    response = login(administrator).post("/admin/forums/notification/", {"action": "try_again_now", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.sent_at and row.last_error == ""
    assert [m.to for m in mail.outbox] == [[resident.email]]


# Issue 16: the admin's lists say why a post was flagged, show a reply's text, and "Other" asks for a note.


def test_the_question_and_reply_lists_show_flag_reasons_with_counts_and_the_flaggers_notes(
    login, moderator, question, make_reply, resident, another_resident
):
    from portal.forums.models import Flag, Question, Reply

    Flag.objects.create(question=question, user=another_resident, reason="spam", note="Same link in five threads.")
    Flag.objects.create(question=question, user=resident, reason="spam")
    Question.objects.filter(pk=question.pk).update(open_flag_count=2)
    reply = make_reply(question, resident, body="The turbines at the Colossus site burn methane around the clock, " * 4)
    Flag.objects.create(reply=reply, user=another_resident, reason="off_topic", note="Not about this question.")
    Reply.objects.filter(pk=reply.pk).update(open_flag_count=1)
    client = login(moderator)
    questions = client.get("/admin/forums/question/").content.decode()
    assert "Spam or advertising × 2" in questions and "Same link in five threads." in questions
    replies = client.get("/admin/forums/reply/").content.decode()
    assert "Off-topic × 1" in replies and "Not about this question." in replies
    assert "The turbines at the Colossus site burn methane" in replies and "…" in replies
    page = client.get(f"/admin/forums/reply/{reply.pk}/change/").content.decode()
    assert reply.body.strip() in page and "Not about this question." in page


def test_hiding_for_another_reason_in_the_admin_asks_for_the_note_and_keeps_the_selection(
    login, moderator, question, make_question, resident
):
    other = make_question(resident, title="A second question to hide for another reason")
    client = login(moderator)
    ask = client.post("/admin/forums/question/", {"action": "hide_other", "_selected_action": [question.pk, other.pk]})
    assert ask.status_code == 200
    html = ask.content.decode()
    assert 'name="note"' in html and question.title in html and other.title in html
    for pk in (question.pk, other.pk):
        assert f'name="_selected_action" value="{pk}"' in html
    empty = client.post("/admin/forums/question/", {"action": "hide_other", "apply": "1", "note": " ", "_selected_action": [question.pk, other.pk]})
    html = empty.content.decode()
    note = html.index('name="note"')
    assert "say why in the note" in html[max(0, note - 600):note]
    assert f'name="_selected_action" value="{other.pk}"' in html
    question.refresh_from_db()
    assert question.status == PostStatus.PUBLISHED and not StaffAction.objects.filter(name="moderate: hide").exists()
    done = client.post("/admin/forums/question/", {"action": "hide_other", "apply": "1", "note": "Copied from a press release.", "_selected_action": [question.pk, other.pk]})
    assert done.status_code == 302
    for q in (question, other):
        q.refresh_from_db()
        assert (q.status, q.reason, q.reason_note) == (PostStatus.HIDDEN, "other", "Copied from a press release.")
    assert StaffAction.objects.filter(name="moderate: hide", reason__contains="Copied from a press release.").count() == 2


def test_the_admin_can_dismiss_flags(login, moderator, question, another_resident):
    from portal.forums.models import Flag, Question

    Flag.objects.create(question=question, user=another_resident, reason="spam")
    Question.objects.filter(pk=question.pk).update(open_flag_count=1)
    login(moderator).post("/admin/forums/question/", {"action": "dismiss_flags", "_selected_action": [question.pk]})
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
