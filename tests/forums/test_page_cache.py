"""The forum's public pages in the page cache (issue 13): a question answered, a reply, a vote, a
meeting changed all show at once; residents' own pages are never shared. Mechanics: tests/test_page_cache.py."""

import pytest
from django.test import Client

from portal.forums import meetings, services
from portal.forums.models import Vote


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(days_ahead=10, title="July public forum")


def _pages(question, meeting):
    return ["/forum/", question.get_absolute_url(), "/forum/meetings/", meeting.get_absolute_url(),
            f"{meeting.get_absolute_url()}meeting.ics", "/forum/stats/", "/forum/moderation/report/",
            "/feeds/answers.atom", f"/feeds/topics/{question.topic}.atom"]


def test_every_public_forum_page_is_served_from_the_cache_the_second_time(anonymous, question, meeting, django_assert_num_queries):
    for url in _pages(question, meeting):
        first = anonymous.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            second = anonymous.get(url)
        assert second.content == first.content, url


def test_an_answer_shows_at_once_on_the_list_the_question_page_and_the_feed(anonymous, question, staff_member):
    for url in ("/forum/", question.get_absolute_url(), "/feeds/answers.atom"):
        anonymous.get(url)
    services.answer_question(question, staff_member, "The turbines burned 2.1 million scf a day.")
    assert "Answered" in anonymous.get("/forum/").content.decode()
    assert "2.1 million scf" in anonymous.get(question.get_absolute_url()).content.decode()
    assert "2.1 million scf" in anonymous.get("/feeds/answers.atom").content.decode()


def test_a_reply_shows_on_the_question_page_as_soon_as_it_is_approved(anonymous, question, another_resident, moderator):
    anonymous.get(question.get_absolute_url())
    reply = services.reply_to_question(question, another_resident, "Same question from Westwood.")
    assert "Same question from Westwood." not in anonymous.get(question.get_absolute_url()).content.decode()
    services.approve_post(reply, moderator)
    page = anonymous.get(question.get_absolute_url()).content.decode()
    assert "Same question from Westwood." in page and "Replies from residents (1)" in page


def test_a_vote_and_its_withdrawal_change_the_counts_at_once(anonymous, question, another_resident):
    assert "<strong>0</strong> residents have" in anonymous.get(question.get_absolute_url()).content.decode()
    anonymous.get("/forum/")
    services.vote(question, another_resident)
    assert "<strong>1</strong> resident has" in anonymous.get(question.get_absolute_url()).content.decode()
    assert "1 person has this question too" in anonymous.get("/forum/").content.decode()
    services.unvote(question, another_resident)
    assert "<strong>0</strong> residents have" in anonymous.get(question.get_absolute_url()).content.decode()


def test_recomputing_a_questions_counters_refreshes_its_page(anonymous, question, another_resident):
    # Rows written without signals (a bulk load, a repair), then the counters recomputed from them.
    anonymous.get(question.get_absolute_url())
    Vote.objects.bulk_create([Vote(question=question, user=another_resident)])
    services.sync_question(question)
    assert "<strong>1</strong> resident has" in anonymous.get(question.get_absolute_url()).content.decode()


def test_a_hidden_question_leaves_the_cached_pages_at_once(anonymous, question, moderator):
    url = question.get_absolute_url()
    assert anonymous.get(url).status_code == 200
    services.hide_post(question, moderator, "personal_data")
    assert anonymous.get(url).status_code == 404
    assert question.title not in anonymous.get("/forum/").content.decode()


def test_a_meeting_change_and_its_docket_freeze_show_at_once(anonymous, meeting, resident, make_question, staff_member):
    make_question(resident, title="Will the turbines run at night?", meeting=meeting)
    for url in (meeting.get_absolute_url(), "/forum/meetings/"):
        anonymous.get(url)
    meetings.update_meeting(meeting, staff_member, place="Westwood Library")
    assert "Westwood Library" in anonymous.get("/forum/meetings/").content.decode()
    assert "Westwood Library" in anonymous.get(meeting.get_absolute_url()).content.decode()
    meetings.freeze_docket(meeting)
    assert "Frozen" in anonymous.get(meeting.get_absolute_url()).content.decode()


def test_questions_carried_over_show_on_the_next_meeting_at_once(anonymous, make_meeting, resident, make_question, staff_member):
    past = make_meeting(days_ahead=-1, title="June public forum")
    later = make_meeting(days_ahead=20, title="August public forum")
    make_question(resident, title="Still waiting about the water", meeting=past)
    assert "Still waiting about the water" not in anonymous.get(later.get_absolute_url()).content.decode()
    assert meetings.carry_over(past) == 1
    assert "Still waiting about the water" in anonymous.get(later.get_absolute_url()).content.decode()


def test_a_residents_own_view_of_a_question_is_never_shared(question, another_resident, login):
    anonymous = Client()
    assert "Log in</a> or" in anonymous.get(question.get_absolute_url()).content.decode()
    kwame = login(another_resident)
    mine = kwame.get(question.get_absolute_url())
    page = mine.content.decode()
    assert "Kwame" in page and "I have this question too" in page and "csrfmiddlewaretoken" in page
    assert "private" in mine["Cache-Control"]
    after = anonymous.get(question.get_absolute_url()).content.decode()
    assert "Kwame" not in after and "csrfmiddlewaretoken" not in after


def test_a_staff_members_view_with_moderation_tools_is_never_shared(question, moderator, login):
    staff = login(moderator)
    assert "Moderation" in staff.get(question.get_absolute_url()).content.decode()
    page = Client().get(question.get_absolute_url()).content.decode()
    assert 'id="mod-heading"' not in page and "Moderator Mo" not in page
