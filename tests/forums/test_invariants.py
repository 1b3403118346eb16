"""Any sequence of actions by anyone leaves a question consistent: counters equal their rows,
the status is one a question can have, and refusals are PermissionDenied/ValidationError only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from portal.forums import services
from portal.forums.models import Answer, Flag, Follow, PostStatus, Question, Reply, Vote

S = PostStatus
ACTIONS = {
    "vote": lambda q, who: services.vote(q, who),
    "unvote": lambda q, who: services.unvote(q, who),
    "follow": lambda q, who: services.follow(q, who),
    "unfollow": lambda q, who: services.unfollow(q, who),
    "flag": lambda q, who: services.flag_post(q, who, "spam"),
    "reply": lambda q, who: services.reply_to_question(q, who, "A reply."),
    "approve": lambda q, who: services.approve_post(q, who),
    "hide": lambda q, who: services.hide_post(q, who, "offensive"),
    "reject": lambda q, who: services.reject_post(q, who, "spam"),
    "restore": lambda q, who: services.restore_post(q, who),
    "dismiss": lambda q, who: services.dismiss_flags(q, who),
    "close": lambda q, who: services.close_question(q, who),
    "reopen": lambda q, who: services.reopen_question(q, who),
    "answer": lambda q, who: services.answer_question(q, who, "Official."),
    "appeal": lambda q, who: services.appeal_post(q, who, "Please."),
    "deny": lambda q, who: services.deny_appeal(q, who),
}
PEOPLE = ["resident", "another_resident", "v1", "v2", "moderator", "staff_member"]


def check_invariants(question):
    question.refresh_from_db()
    assert question.vote_count == Vote.objects.filter(question=question).count()
    assert question.follower_count == Follow.objects.filter(question=question).count()
    assert question.reply_count == Reply.objects.filter(question=question, status=S.PUBLISHED).count()
    assert question.open_flag_count == Flag.objects.filter(question=question, resolved_at__isnull=True).count()
    has_answer = Answer.objects.filter(question=question).exists()
    if question.status == S.ANSWERED:
        assert has_answer and question.answered_at
    if question.status == S.HIDDEN:
        assert question.status_before_hide in (S.PUBLISHED, S.ANSWERED, S.CLOSED)
    if question.status == S.PUBLISHED:
        assert not has_answer
    if question.status in (S.PUBLISHED, S.ANSWERED, S.CLOSED):
        assert question.published_at is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    start=st.sampled_from([S.PENDING, S.PUBLISHED]),
    steps=st.lists(st.tuples(st.sampled_from(sorted(ACTIONS)), st.sampled_from(PEOPLE)), max_size=20),
)
def test_any_sequence_of_actions_keeps_the_question_consistent(start, steps, resident, another_resident, moderator, staff_member, make_resident, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    with transaction.atomic():
        people = {
            "resident": resident, "another_resident": another_resident, "moderator": moderator, "staff_member": staff_member,
            "v1": make_resident(), "v2": make_resident(),
        }
        from django.utils import timezone

        question = Question.objects.create(
            author=resident, title="A question for the invariant test", body="x", status=start,
            published_at=timezone.now() if start == S.PUBLISHED else None,
        )
        for action, who in steps:
            try:
                result = ACTIONS[action](question, people[who])
            except (PermissionDenied, ValidationError):
                pass
            else:
                assert isinstance(result, (bool, int)) or result is not None
            check_invariants(question)
        transaction.set_rollback(True)
