"""Every state transition, tried by each persona: anonymous, the resident who asked, another
resident, a moderator and staff. One row per (transition, persona): allowed or refused."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from portal.forums import services
from portal.forums.models import PostStatus

S = PostStatus
PERSONAS = ["anonymous", "resident", "another_resident", "moderator", "staff_member"]

# transition: (starting status, call, status after, personas allowed)
TRANSITIONS = {
    "approve": (S.PENDING, lambda q, who: services.approve_post(q, who), S.PUBLISHED, {"moderator", "staff_member"}),
    "reject": (S.PENDING, lambda q, who: services.reject_post(q, who, "spam"), S.REJECTED, {"moderator", "staff_member"}),
    "hide": (S.PUBLISHED, lambda q, who: services.hide_post(q, who, "offensive"), S.HIDDEN, {"moderator", "staff_member"}),
    "reject hidden": (S.HIDDEN, lambda q, who: services.reject_post(q, who, "spam"), S.REJECTED, {"moderator", "staff_member"}),
    "restore": (S.HIDDEN, lambda q, who: services.restore_post(q, who), S.PUBLISHED, {"moderator", "staff_member"}),
    "answer": (S.PUBLISHED, lambda q, who: services.answer_question(q, who, "Official."), S.ANSWERED, {"staff_member"}),
    "close": (S.PUBLISHED, lambda q, who: services.close_question(q, who), S.CLOSED, {"moderator", "staff_member"}),
    "reopen": (S.CLOSED, lambda q, who: services.reopen_question(q, who), S.PUBLISHED, {"moderator", "staff_member"}),
    "appeal": (S.REJECTED, lambda q, who: services.appeal_post(q, who, "Please look again."), S.REJECTED, {"resident"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_transition_is_allowed_only_for_the_right_people(transition, persona, request, make_question, resident):
    start, call, after, allowed = TRANSITIONS[transition]
    question = make_question(resident, title=f"Question for {transition}", status=start)
    if start == S.HIDDEN:
        type(question).objects.filter(pk=question.pk).update(status_before_hide=S.PUBLISHED)
    who = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    if persona in allowed:
        assert call(question, who) is True
        question.refresh_from_db()
        assert question.status == after
    else:
        with pytest.raises(PermissionDenied):
            call(question, who)
        question.refresh_from_db()
        assert question.status == start


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_ask_reply_vote_follow_and_flag(persona, request, question):
    who = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    actions = {
        "ask": lambda: services.ask_question(who, title="Another question about noise", body="x", topic="noise"),
        "reply": lambda: services.reply_to_question(question, who, "A reply."),
        "follow": lambda: services.follow(question, who),
        "vote": lambda: services.vote(question, who),
        "flag": lambda: services.flag_post(question, who, "spam"),
    }
    for name, action in actions.items():
        # Anyone signed in may take part, except voting on or flagging one's own question.
        refused = persona == "anonymous" or (persona == "resident" and name in ("vote", "flag"))
        if refused:
            with pytest.raises(PermissionDenied):
                action()
        else:
            assert action(), name
