"""Flags: residents report posts; enough of them hide the post until a moderator decides."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.forums import services
from portal.forums.models import Flag, ModerationAction, PostStatus


def test_a_resident_flags_a_question_with_a_reason(login, question, another_resident):
    response = login(another_resident).post(f"/forum/question/{question.pk}/flag/", {"reason": "spam", "note": "An ad."})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.reason, flag.note, flag.user) == ("spam", "An ad.", another_resident)


def test_one_flag_per_account(question, another_resident):
    assert services.flag_post(question, another_resident, "spam") is True
    assert services.flag_post(question, another_resident, "offensive") is False
    question.refresh_from_db()
    assert question.open_flag_count == 1


def test_the_author_cannot_flag_their_own_post(question, resident):
    with pytest.raises(PermissionDenied):
        services.flag_post(question, resident, "spam")


def test_anonymous_cannot_flag(anonymous, question):
    response = anonymous.post(f"/forum/question/{question.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Flag.objects.exists()


def test_k_flags_hide_the_post_until_a_moderator_decides(question, make_resident, settings):
    settings.FORUM_FLAGS_TO_HIDE = 3
    flaggers = [make_resident() for _ in range(3)]
    services.flag_post(question, flaggers[0], "offensive")
    services.flag_post(question, flaggers[1], "spam")
    question.refresh_from_db()
    assert question.status == PostStatus.PUBLISHED
    services.flag_post(question, flaggers[2], "offensive")
    question.refresh_from_db()
    assert question.status == PostStatus.HIDDEN
    assert question.reason == "offensive", "the most common reason is the one given"
    action = ModerationAction.objects.get(kind="auto_hide")
    assert action.actor is None and action.from_status == "published"


def test_a_moderator_restores_a_wrongly_flagged_post_and_the_flags_are_settled(question, make_resident, moderator, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    for _ in range(2):
        services.flag_post(question, make_resident(), "spam")
    assert services.restore_post(question, moderator)
    assert question.status == PostStatus.PUBLISHED and question.open_flag_count == 0
    # One new flag after the decision does not hide it again at once.
    services.flag_post(question, make_resident(), "spam")
    question.refresh_from_db()
    assert question.status == PostStatus.PUBLISHED


def test_a_moderator_confirms_an_automatic_hide(question, make_resident, moderator, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    for _ in range(2):
        services.flag_post(question, make_resident(), "spam")
    assert services.hide_post(question, moderator, "spam", "Confirmed.")
    question.refresh_from_db()
    assert question.status == PostStatus.HIDDEN and question.open_flag_count == 0
    assert services.hide_post(question, moderator, "spam") is False


def test_flags_on_replies_hide_the_reply_only(question, make_reply, another_resident, make_resident, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    reply = make_reply(question, another_resident)
    for _ in range(2):
        services.flag_post(reply, make_resident(), "offensive")
    reply.refresh_from_db()
    question.refresh_from_db()
    assert reply.status == PostStatus.HIDDEN
    assert question.status == PostStatus.PUBLISHED and question.reply_count == 0


def test_moderators_dismiss_flags_on_a_post_that_is_fine(question, another_resident, moderator):
    services.flag_post(question, another_resident, "off_topic")
    assert services.dismiss_flags(question, moderator)
    question.refresh_from_db()
    assert question.open_flag_count == 0
    assert services.dismiss_flags(question, moderator) is False


def test_the_flag_form_page_opens_for_a_reply(login, question, make_reply, another_resident, resident):
    reply = make_reply(question, another_resident)
    assert login(resident).get(f"/forum/reply/{reply.pk}/flag/").status_code == 200
