"""Every public forum page opens for a member of the public."""

import pytest


@pytest.mark.parametrize(
    "url",
    ["/forum/", "/forum/search/?q=gas", "/forum/stats/", "/forum/moderation/report/", "/forum/meetings/", "/feeds/answers.atom", "/feeds/topics/air.atom"],
)
def test_public_pages_open_for_anonymous(anonymous, question, url):
    response = anonymous.get(url)
    assert response.status_code == 200


def test_question_page_opens_for_anonymous(anonymous, question):
    response = anonymous.get(question.get_absolute_url())
    assert response.status_code == 200
    assert question.title in response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "resident", "another_resident", "moderator", "staff_member"])
def test_a_busy_question_page_opens_for_every_persona(persona, request, client, login, question, make_reply, make_resident, staff_member, moderator, report_version):
    from portal.forums import services
    from portal.forums.models import PostStatus

    voter = make_resident()
    services.vote(question, voter)
    make_reply(question, voter)
    make_reply(question, voter, status=PostStatus.PENDING, body="pending reply")
    services.flag_post(question, voter, "off_topic", "Belongs elsewhere.")
    services.answer_question(question, staff_member, "Official **answer**.", report_version)
    if persona != "anonymous":
        login(request.getfixturevalue(persona))
    response = client.get(question.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Official answer" in page and "<strong>answer</strong>" in page
    assert ("pending reply" in page) == (persona in ("moderator", "staff_member"))
    assert ("Moderate this question" in page) == (persona in ("moderator", "staff_member"))


@pytest.mark.parametrize("frozen", [False, True])
def test_meeting_pages_open_before_and_after_the_freeze(client, staff_member, make_meeting, resident, make_question, frozen):
    from portal.forums import meetings

    meeting = make_meeting(days_ahead=-1 if frozen else 10, agenda="1. Welcome\n2. **Questions**")
    make_question(resident, title="A question for the meeting page", meeting=meeting)
    if frozen:
        meetings.freeze_docket(meeting)
    client.force_login(staff_member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "A question for the meeting page" in page and "<strong>Questions</strong>" in page
    assert ("Record outcomes" in page) == frozen


def test_the_ask_profile_and_queue_pages_open(client, login, resident, moderator, question):
    client.force_login(resident)
    assert client.get("/forum/ask/").status_code == 200
    assert question.title in client.get("/accounts/profile/").content.decode()
    login(moderator)
    assert client.get("/forum/moderation/").status_code == 200
