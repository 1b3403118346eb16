"""Editing a question: the author while it waits for review, moderators at any time (logged)."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit.models import StaffAction
from portal.forums import services
from portal.forums.models import ModerationAction, PostStatus

EDIT = {"title": "How many turbines run at night, and how loud are they?", "body": "Fixed **typo**.", "topic": "noise", "website": ""}


@pytest.fixture
def pending(resident, make_question):
    return make_question(resident, title="How many turbines run at nihgt?", status=PostStatus.PENDING)


def test_the_author_fixes_a_pending_question(login, resident, pending):
    response = login(resident).post(f"/forum/questions/{pending.pk}/edit/", EDIT)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.title == EDIT["title"] and "<strong>typo</strong>" in pending.body_html
    assert pending.status == PostStatus.PENDING
    assert not ModerationAction.objects.exists(), "an author's own edit is not a moderation action"
    assert not StaffAction.objects.exists(), "nor a staff action"


def test_the_author_cannot_edit_once_published(resident, question):
    with pytest.raises(PermissionDenied):
        services.edit_question(question, resident, body="Changed after people voted.")


@pytest.mark.parametrize("persona", ["another_resident", "anonymous"])
def test_others_cannot_edit(client, request, persona, pending):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/forum/questions/{pending.pk}/edit/", EDIT)
    assert response.status_code in (302, 403, 404)
    pending.refresh_from_db()
    assert pending.title != EDIT["title"]


def test_a_moderator_removes_personal_data_and_it_is_logged(moderator, question):
    assert services.edit_question(question, moderator, body="[phone number removed by a moderator]")
    action = ModerationAction.objects.get(kind="edit")
    assert action.actor == moderator and "body" in action.note
    entry = StaffAction.objects.get()
    assert (entry.name, entry.actor, entry.object_id) == ("moderate: edit", moderator, str(question.pk))
    assert entry.after["body"] == "[phone number removed by a moderator]" and entry.reason == "Edited: body"
    assert services.edit_question(question, moderator, body="[phone number removed by a moderator]") is False


def test_a_bad_edit_keeps_the_text_and_says_why(login, resident, pending):
    response = login(resident).post(f"/forum/questions/{pending.pk}/edit/", {**EDIT, "title": "Short"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fixed **typo**." in page and "at least 10 characters" in page
