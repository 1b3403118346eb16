"""Official answers by staff, and the e-mails they send: once per person."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from portal.forums import notifications, services
from portal.forums.models import Notification, PostStatus


@pytest.fixture
def crowd(question, make_resident):
    """Two voters and a follower; one voter also follows."""
    voter, voter_who_follows, follower = make_resident("vera"), make_resident("victor"), make_resident("fiona")
    services.vote(question, voter)
    services.vote(question, voter_who_follows)
    services.follow(question, voter_who_follows)
    services.follow(question, follower)
    return [voter, voter_who_follows, follower]


def test_staff_answer_and_the_question_becomes_answered(question, staff_member):
    assert services.answer_question(question, staff_member, "The turbines burned **2.1 million scf** a day.")
    assert question.status == PostStatus.ANSWERED and question.answered_at
    assert "<strong>2.1 million scf</strong>" in question.answer.body_html


@pytest.mark.parametrize("persona", ["resident", "another_resident", "moderator"])
def test_residents_and_moderators_cannot_answer_officially(question, persona, request):
    with pytest.raises(PermissionDenied):
        services.answer_question(question, request.getfixturevalue(persona), "An answer.")


def test_anonymous_gets_the_login_page_and_a_resident_a_403(anonymous, login, question, resident):
    assert anonymous.get(f"/forum/questions/{question.pk}/answer/").status_code == 302
    assert login(resident).get(f"/forum/questions/{question.pk}/answer/").status_code == 403


def test_a_pending_question_cannot_be_answered_before_review(make_question, resident, staff_member):
    pending = make_question(resident, title="Pending question on noise levels", status=PostStatus.PENDING)
    with pytest.raises(PermissionDenied):
        services.answer_question(pending, staff_member, "Answer.")


def test_the_answer_mails_the_author_every_voter_and_every_follower_once(question, crowd, resident, staff_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "Here is the answer.")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = sorted([resident.email] + [person.email for person in crowd])
    assert recipients == expected
    assert all(len(message.to) == 1 for message in mail.outbox), "addresses are never shared between residents"
    assert "Here is the answer." in mail.outbox[0].body


def test_running_the_notifications_again_sends_nothing_more(question, crowd, staff_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "Here is the answer.")
    sent = len(mail.outbox)
    assert notifications.send_answer_notifications(question.pk) == 0
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(kind="answered").count() == sent


def test_the_answering_staff_member_is_not_mailed_even_if_following(question, staff_member, django_capture_on_commit_callbacks):
    services.follow(question, staff_member)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "Answer.")
    assert staff_member.email not in [m.to[0] for m in mail.outbox]


def test_a_revision_changes_the_text_without_new_emails(question, crowd, staff_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "First text.")
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.answer_question(question, staff_member, "Corrected text.")
        assert services.answer_question(question, staff_member, "Corrected text.") is False
    question.answer.refresh_from_db()
    assert question.answer.body == "Corrected text." and question.answer.revised_at
    assert len(mail.outbox) == sent


def test_the_answer_may_cite_a_report_version_and_the_page_marks_it_official(login, question, staff_member, report_version, anonymous):
    response = login(staff_member).post(
        f"/forum/questions/{question.pk}/answer/", {"body": "See the July report.", "report_version": report_version.pk}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer.report_version == report_version
    anonymous.logout()
    page = anonymous.get(question.get_absolute_url()).content.decode()
    assert "Official answer" in page and "Sam (staff)" in page and str(report_version) in page


def test_answered_questions_take_no_more_votes_but_still_replies(question, staff_member, another_resident):
    services.answer_question(question, staff_member, "Answer.")
    with pytest.raises(PermissionDenied):
        services.vote(question, another_resident)
    another_resident.is_trusted = True
    assert services.reply_to_question(question, another_resident, "Thanks!").status == PostStatus.PUBLISHED


def test_answer_emails_can_be_sent_from_a_worker(question, crowd, staff_member, settings, monkeypatch, django_capture_on_commit_callbacks):
    from portal.forums import tasks

    queued = []
    monkeypatch.setattr(tasks.send_answer_notifications, "delay", lambda question_id: queued.append(question_id))
    settings.FORUM_NOTIFY_IN_WORKER = True
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "Answer.")
    assert queued == [question.pk] and mail.outbox == []
    assert tasks.send_answer_notifications(question.pk) == 4
