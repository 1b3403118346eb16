"""'I have this question too' votes, and following a question."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.forums import services
from portal.forums.models import PostStatus, Vote


def test_a_resident_votes_once(login, question, another_resident):
    client = login(another_resident)
    client.post(f"/forum/questions/{question.pk}/vote/")
    client.post(f"/forum/questions/{question.pk}/vote/")
    question.refresh_from_db()
    assert question.vote_count == 1
    assert Vote.objects.filter(question=question).count() == 1


def test_a_vote_can_be_withdrawn(login, question, another_resident):
    client = login(another_resident)
    client.post(f"/forum/questions/{question.pk}/vote/")
    client.post(f"/forum/questions/{question.pk}/vote/", {"undo": "1"})
    question.refresh_from_db()
    assert question.vote_count == 0


def test_voting_also_follows_so_the_voter_hears_of_the_answer(question, another_resident):
    services.vote(question, another_resident)
    assert question.follows.filter(user=another_resident).exists()


def test_the_asker_cannot_vote_on_their_own_question(question, resident):
    with pytest.raises(PermissionDenied):
        services.vote(question, resident)


def test_anonymous_cannot_vote(anonymous, question):
    response = anonymous.post(f"/forum/questions/{question.pk}/vote/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    question.refresh_from_db()
    assert question.vote_count == 0


def test_votes_on_pending_or_closed_questions_are_refused(question, make_question, resident, another_resident, staff_member):
    pending = make_question(resident, title="A pending question about jobs", status=PostStatus.PENDING)
    with pytest.raises(PermissionDenied):
        services.vote(pending, another_resident)
    services.close_question(question, staff_member)
    with pytest.raises(PermissionDenied):
        services.vote(question, another_resident)


def test_the_vote_count_is_recomputed_from_rows_so_a_wrong_count_is_repaired(question, another_resident):
    services.vote(question, another_resident)
    type(question).objects.filter(pk=question.pk).update(vote_count=99)
    services.sync_question(question)
    assert question.vote_count == 1


def test_follow_and_unfollow(login, question, another_resident):
    before = question.follower_count
    client = login(another_resident)
    client.post(f"/forum/questions/{question.pk}/follow/")
    question.refresh_from_db()
    assert question.follower_count == before + 1
    client.post(f"/forum/questions/{question.pk}/follow/", {"undo": "1"})
    question.refresh_from_db()
    assert question.follower_count == before


def test_the_question_page_shows_the_count_and_the_button(login, question, another_resident):
    services.vote(question, another_resident)
    page = login(another_resident).get(question.get_absolute_url()).content.decode()
    assert "1</strong> resident has this question too" in page
    assert "Withdraw" in page


def test_a_reply_from_a_resident_appears_under_the_question(login, question, another_resident):
    another_resident.is_trusted = True
    another_resident.save()
    response = login(another_resident).post(f"/forum/questions/{question.pk}/reply/", {"body": "Same on **Elvis Presley Blvd**."})
    assert response.status_code == 302
    page = login(another_resident).get(question.get_absolute_url()).content.decode()
    assert "<strong>Elvis Presley Blvd</strong>" in page


def test_an_empty_reply_gets_a_clear_error(login, question, another_resident):
    response = login(another_resident).post(f"/forum/questions/{question.pk}/reply/", {"body": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
