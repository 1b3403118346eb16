"""Each forum staff verb writes exactly one audit row, whichever door it came through (issue 12).

The verbs live in portal.forums.services and portal.forums.meetings; the forum's pages, the admin,
the `forum_meetings` command and the Celery tasks only call them. Each test does one verb through
one door and then reads the whole audit log: one row, the right door, actor, name and object —
nothing beside it, and nothing at all for a refused call or one that changes nothing.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from portal.audit.log import Door, through
from portal.audit.models import StaffAction
from portal.forums import meetings, services, tasks
from portal.forums.models import Answer, DocketItem, Flag, Meeting, PostStatus, Question, Reply

from .conftest import make_user

S = PostStatus
Outcome = DocketItem.Outcome
pytestmark = pytest.mark.django_db


def audit_rows():
    return list(StaffAction.objects.exclude(kind__in=["login", "logout"]).order_by("id"))


def only_row(door, actor, name, obj):
    rows = audit_rows()
    assert len(rows) == 1, [str(r) for r in rows]
    row = rows[0]
    assert (row.door, row.actor, row.name) == (door, actor, name)
    assert (row.content_type.model, row.object_id) == (obj._meta.model_name, str(obj.pk))
    return row


def no_rows():
    assert audit_rows() == []


@pytest.fixture
def as_staff(login):
    """A fresh client per person, logged in with a verified second factor (staff accounts)."""
    return lambda user: login(user, client=Client())


# --- Moderation ------------------------------------------------------------------------------

# verb (the queue's and the page form's action): (status to start from, extra form data, audit name)
MODERATION = {
    "approve": (S.PENDING, {}, "moderate: approve"),
    "hide": (S.PUBLISHED, {"reason": "spam", "note": "An advert."}, "moderate: hide"),
    "reject": (S.PENDING, {"reason": "off_topic"}, "moderate: reject"),
    "restore": (S.HIDDEN, {}, "moderate: restore"),
    "dismiss": (S.PUBLISHED, {}, "moderate: dismiss flags"),
    "deny_appeal": (S.REJECTED, {"note": "It stays off."}, "moderate: deny appeal"),
    "close": (S.PUBLISHED, {}, "close question"),
    "reopen": (S.CLOSED, {}, "reopen question"),
}
QUESTION_ONLY = {"close", "reopen"}  # replies are not closed or reopened
SERVICE = {
    "approve": lambda post, who: services.approve_post(post, who),
    "hide": lambda post, who: services.hide_post(post, who, "spam", "An advert."),
    "reject": lambda post, who: services.reject_post(post, who, "off_topic"),
    "restore": lambda post, who: services.restore_post(post, who),
    "dismiss": lambda post, who: services.dismiss_flags(post, who),
    "deny_appeal": lambda post, who: services.deny_appeal(post, who, "It stays off."),
    "close": lambda post, who: services.close_question(post, who),
    "reopen": lambda post, who: services.reopen_question(post, who),
}


@pytest.fixture
def prepared(resident, another_resident, make_question, make_reply):
    """A question or a reply in the state the verb starts from (flags, an appeal where it needs them)."""

    def _make(verb, kind="question"):
        status = MODERATION[verb][0]
        question = make_question(resident, title=f"A question to {verb}", status=status if kind == "question" else S.PUBLISHED)
        post = question if kind == "question" else make_reply(question, resident, status=S.PUBLISHED)
        model = type(post)
        model.objects.filter(pk=post.pk).update(status=status, status_before_hide=S.PUBLISHED if status == S.HIDDEN else "")
        if verb == "dismiss":
            Flag.objects.create(**{kind: post}, user=another_resident, reason="spam")
            model.objects.filter(pk=post.pk).update(open_flag_count=1)
        if verb == "deny_appeal":
            model.objects.filter(pk=post.pk).update(reason="spam", appeal_text="Not spam.", appealed_at=timezone.now())
        post.refresh_from_db()
        StaffAction.objects.all().delete()
        return post

    return _make


@pytest.mark.parametrize(
    "verb, kind", [(verb, kind) for verb in MODERATION for kind in ("question", "reply") if kind == "question" or verb not in QUESTION_ONLY]
)
def test_a_decision_on_the_posts_page_is_one_page_row(verb, kind, prepared, moderator, as_staff):
    post = prepared(verb, kind)
    _, extra, name = MODERATION[verb]
    response = as_staff(moderator).post(f"/forum/{kind}/{post.pk}/moderate/", {"action": verb, **extra})
    assert response.status_code == 302
    row = only_row("page", moderator, name, post)
    assert row.ip == "127.0.0.1"
    if "reason" in extra:
        assert row.reason.startswith(extra["reason"])


@pytest.mark.parametrize("verb", ["approve", "hide", "reject", "restore", "dismiss", "deny_appeal"])
def test_a_decision_from_the_queue_is_one_page_row_per_post(verb, prepared, moderator, as_staff):
    question, reply = prepared(verb), prepared(verb, "reply")
    StaffAction.objects.all().delete()
    _, extra, name = MODERATION[verb]
    as_staff(moderator).post("/forum/moderation/", {"action": verb, "questions": [question.pk], "replies": [reply.pk], **extra})
    rows = audit_rows()
    assert sorted((r.content_type.model, r.object_id) for r in rows) == sorted([("question", str(question.pk)), ("reply", str(reply.pk))])
    assert {(r.door, r.actor, r.name) for r in rows} == {("page", moderator, name)}


# The admin's bulk actions and the verbs they are.
ADMIN_ACTIONS = {"approve": "approve", "hide": "hide_spam", "reject": "reject_off_topic", "restore": "restore", "dismiss": "dismiss_flags"}


@pytest.mark.parametrize("kind", ["question", "reply"])
@pytest.mark.parametrize("verb", list(ADMIN_ACTIONS))
def test_an_admin_action_is_one_admin_row_per_post(verb, kind, prepared, moderator, as_staff):
    post = prepared(verb, kind)
    response = as_staff(moderator).post(f"/admin/forums/{kind}/", {"action": ADMIN_ACTIONS[verb], "_selected_action": [post.pk]})
    assert response.status_code == 302
    only_row("admin", moderator, MODERATION[verb][2], post)


@pytest.mark.parametrize("verb", list(MODERATION))
def test_a_decision_that_changes_nothing_writes_no_second_row(verb, prepared, moderator):
    post = prepared(verb)
    assert SERVICE[verb](post, moderator) is True
    assert SERVICE[verb](post, moderator) is False
    only_row("system", moderator, MODERATION[verb][2], post)


def test_the_queue_refuses_a_resident_and_writes_nothing(prepared, resident, another_resident, as_staff):
    post = prepared("approve")
    as_staff(another_resident).post("/forum/moderation/", {"action": "approve", "questions": [post.pk]})
    as_staff(another_resident).post(f"/forum/question/{post.pk}/moderate/", {"action": "approve"})
    post.refresh_from_db()
    assert post.status == S.PENDING
    no_rows()


def test_an_analyst_may_close_but_not_hide_through_the_page(prepared, analyst, as_staff):
    post = prepared("hide")
    as_staff(analyst).post(f"/forum/question/{post.pk}/moderate/", {"action": "hide", "reason": "spam"})
    post.refresh_from_db()
    assert post.status == S.PUBLISHED
    no_rows()
    as_staff(analyst).post(f"/forum/question/{post.pk}/moderate/", {"action": "close"})
    only_row("page", analyst, "close question", post)


def test_an_admin_action_refused_to_a_role_writes_nothing(prepared, analyst, as_staff):
    post = prepared("approve")
    assert as_staff(analyst).post("/admin/forums/question/", {"action": "approve", "_selected_action": [post.pk]}).status_code == 403
    no_rows()


def test_an_automatic_hide_by_flags_is_no_staff_action(question, make_resident, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    for _ in range(2):
        services.flag_post(question, make_resident(), "spam")
    question.refresh_from_db()
    assert question.status == S.HIDDEN
    no_rows()


# --- Editing and answering -------------------------------------------------------------------


def test_a_moderators_edit_on_the_page_is_one_page_row_and_the_authors_none(question, moderator, resident, make_question, as_staff):
    form = {"title": "How much gas do the turbines burn on a hot day?", "body": "Edited.", "topic": "energy", "website": ""}
    as_staff(moderator).post(f"/forum/questions/{question.pk}/edit/", form)
    row = only_row("page", moderator, "moderate: edit", question)
    assert row.after["body"] == "Edited."
    StaffAction.objects.all().delete()
    own = make_question(resident, title="My own pending question, typo", status=S.PENDING)
    as_staff(resident).post(f"/forum/questions/{own.pk}/edit/", {**form, "title": "My own pending question, fixed"})
    assert Question.objects.get(pk=own.pk).title == "My own pending question, fixed"
    no_rows()


def test_a_moderators_edit_in_the_admin_is_one_admin_row(admin_form_values, question, moderator, as_staff):
    client = as_staff(moderator)
    url = f"/admin/forums/question/{question.pk}/change/"
    data = admin_form_values(client.get(url))
    data["body"] = "[phone number removed]"
    assert client.post(url, data).status_code == 302
    row = only_row("admin", moderator, "moderate: edit", question)
    assert row.before["body"] == "Details please." and row.after["body"] == "[phone number removed]"


def test_an_answer_on_the_page_is_one_page_row_and_a_revision_another(question, staff_member, as_staff, django_capture_on_commit_callbacks):
    client = as_staff(staff_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/forum/questions/{question.pk}/answer/", {"body": "About 610 hours each."})
    answer = Answer.objects.get(question=question)
    only_row("page", staff_member, "answer question", answer)
    client.post(f"/forum/questions/{question.pk}/answer/", {"body": "About 610 hours each."})
    assert len(audit_rows()) == 1, "the same answer again changes nothing"
    client.post(f"/forum/questions/{question.pk}/answer/", {"body": "About 612 hours each (corrected)."})
    revised = audit_rows()[-1]
    assert (revised.name, revised.door, revised.object_id) == ("revise answer", "page", str(answer.pk))
    assert revised.before["body"] == "About 610 hours each." and len(audit_rows()) == 2


def test_an_answer_in_the_admin_is_one_admin_row(admin_form_values, question, staff_member, as_staff):
    client = as_staff(staff_member)
    url = f"/admin/forums/question/{question.pk}/change/"
    data = admin_form_values(client.get(url))
    data["official_answer"] = "About 2 million cubic feet a day."
    assert client.post(url, data).status_code == 302
    only_row("admin", staff_member, "answer question", Answer.objects.get(question=question))


def test_a_moderator_without_the_answer_permission_is_refused_on_the_page(question, moderator, as_staff):
    assert as_staff(moderator).post(f"/forum/questions/{question.pk}/answer/", {"body": "Unofficial."}).status_code == 403
    assert not Answer.objects.exists()
    no_rows()


# --- Meetings --------------------------------------------------------------------------------


@pytest.fixture
def held(make_meeting, resident, make_question):
    """A meeting held three hours ago whose docket froze with one question, and a later meeting."""
    meeting = make_meeting(days_ahead=-1, title="Boxtown public forum")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    question = make_question(resident, title="Will the turbines get SCR?", meeting=meeting)
    meetings.freeze_docket(meeting)
    later = make_meeting(days_ahead=40, title="Westwood public forum")
    StaffAction.objects.all().delete()
    return meeting, meeting.docket.get(), question, later


def test_scheduling_a_meeting_in_the_admin_is_one_admin_add_row(staff_member, facility, as_staff):
    client = as_staff(staff_member)
    page = client.get("/admin/forums/meeting/add/")
    assert 'name="minutes"' not in page.content.decode(), "minutes wait for the meeting"
    data = {
        "facility": facility.pk, "title": "Autumn public forum", "starts_at_0": "2031-10-01", "starts_at_1": "18:00:00",
        "ends_at_0": "2031-10-01", "ends_at_1": "20:00:00", "place": "Mitchell Community Center", "online_url": "", "agenda": "",
        "docket-TOTAL_FORMS": "0", "docket-INITIAL_FORMS": "0", "docket-MIN_NUM_FORMS": "0", "docket-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/admin/forums/meeting/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get(title="Autumn public forum")
    row = only_row("admin", staff_member, "schedule meeting", meeting)
    assert row.kind == "add" and row.after["title"] == "Autumn public forum"


def test_changing_a_meeting_in_the_admin_is_one_admin_change_row(admin_form_values, make_meeting, moderator, as_staff):
    meeting = make_meeting(title="Spring forum")
    client = as_staff(moderator)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = admin_form_values(client.get(url))
    data["place"] = "Westwood Library"
    assert client.post(url, data).status_code == 302
    row = only_row("admin", moderator, "update meeting", meeting)
    assert (row.kind, row.before, row.after) == ("change", {"place": "Mitchell Community Center"}, {"place": "Westwood Library"})


def test_a_meeting_that_did_not_change_is_not_updated(make_meeting, staff_member):
    meeting = make_meeting(title="Spring forum")
    assert meetings.update_meeting(meeting, staff_member, title="Spring forum") is False
    no_rows()


def test_recording_outcomes_and_minutes_on_the_staff_page_is_one_page_row_each(held, staff_member, as_staff):
    meeting, item, _, later = held
    as_staff(staff_member).post(f"/forum/meetings/{meeting.pk}/record/", {
        f"item-{item.pk}-outcome": "out_of_scope", f"item-{item.pk}-outcome_note": "A county matter.",
        "minutes-minutes": "Twelve residents came.",
    })
    rows = audit_rows()
    assert [(r.door, r.actor, r.name, r.object_id) for r in rows] == [
        ("page", staff_member, "record outcome", str(item.pk)), ("page", staff_member, "record minutes", str(meeting.pk)),
    ]
    assert rows[0].reason == "A county matter."
    assert rows[1].after["minutes"] == "Twelve residents came." and rows[1].after["carried_over_at"]


def test_recording_outcomes_and_minutes_in_the_admin_is_one_admin_row_each(admin_form_values, held, staff_member, as_staff):
    meeting, item, _, _ = held
    client = as_staff(staff_member)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    data = admin_form_values(client.get(url))
    data["minutes"] = "Twelve residents came."
    data["docket-0-outcome"] = "written_due"
    data["docket-0-written_answer_due"] = "2031-08-01"
    assert client.post(url, data).status_code == 302
    assert sorted((r.door, r.actor, r.name) for r in audit_rows()) == [
        ("admin", staff_member, "record minutes"), ("admin", staff_member, "record outcome"),
    ]


def test_an_outcome_answered_live_is_one_row_though_it_gives_the_answer(held, staff_member, django_capture_on_commit_callbacks):
    _, item, question, _ = held
    with django_capture_on_commit_callbacks(execute=True):
        assert meetings.record_outcome(item, staff_member, Outcome.ANSWERED_LIVE, "Yes, by 2026.")
    assert "Yes, by 2026." in Answer.objects.get(question=question).body
    only_row("system", staff_member, "record outcome", item)
    assert meetings.record_outcome(item, staff_member, Outcome.ANSWERED_LIVE, "Yes, by 2026.") is False
    assert len(audit_rows()) == 1


def test_minutes_carry_questions_over_inside_their_one_row(held, staff_member):
    meeting, _, question, later = held
    assert meetings.record_minutes(meeting, staff_member, "Not reached.")
    assert Question.objects.get(pk=question.pk).meeting == later
    row = only_row("system", staff_member, "record minutes", meeting)
    assert "1 question(s) carried over" in row.reason


@pytest.mark.parametrize("action, name", [("freeze_now", "freeze docket"), ("carry_over_now", "carry over"), ("cancel", "cancel meeting")])
def test_a_meeting_action_in_the_admin_is_one_admin_row(action, name, make_meeting, held, staff_member, as_staff):
    meeting = held[0] if action == "carry_over_now" else make_meeting(days_ahead=10, title="Autumn forum")
    response = as_staff(staff_member).post("/admin/forums/meeting/", {"action": action, "_selected_action": [meeting.pk]})
    assert response.status_code == 302
    only_row("admin", staff_member, name, meeting)


def test_moderators_are_not_offered_the_docket_and_cancel_actions(moderator, make_meeting, as_staff):
    make_meeting()
    page = as_staff(moderator).get("/admin/forums/meeting/").content.decode()
    assert 'value="freeze_now"' not in page and 'value="cancel"' not in page


@pytest.fixture
def due(make_meeting, resident, make_question):
    """A meeting whose docket is due to freeze (tomorrow)."""
    meeting = make_meeting(days_ahead=1, title="Tomorrow's forum")
    make_question(resident, title="A question for tomorrow", meeting=meeting)
    StaffAction.objects.all().delete()
    return meeting


def test_the_command_freezing_a_docket_is_one_cli_row_naming_the_shell_user(due):
    call_command("forum_meetings")
    row = only_row("cli", None, "freeze docket", due)
    assert row.actor_name.endswith("(shell)")
    call_command("forum_meetings")
    assert len(audit_rows()) == 1, "a second run changes nothing"


def test_the_command_acts_as_an_account_with_its_role(due, staff_member, moderator):
    with pytest.raises(CommandError, match="forums.record_meeting_outcomes"):
        call_command("forum_meetings", "--as", moderator.username)
    no_rows()
    call_command("forum_meetings", "--as", staff_member.username)
    only_row("cli", staff_member, "freeze docket", due)


def test_the_command_carrying_questions_over_is_one_cli_row(held, staff_member):
    meeting, _, _, _ = held
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - dt.timedelta(days=5), starts_at=timezone.now() - dt.timedelta(days=5, hours=2))
    call_command("forum_meetings", "--as", staff_member.username)
    only_row("cli", staff_member, "carry over", meeting)


def test_the_hourly_task_is_a_system_row(due):
    tasks.meeting_housekeeping()
    only_row("system", None, "freeze docket", due)


# --- Refused whatever the door ---------------------------------------------------------------


@pytest.fixture
def verbs(prepared, held, make_meeting, facility):
    """Every forum staff verb as a call taking the acting person."""
    meeting, item, question, _ = held
    future = make_meeting(days_ahead=20, title="A later forum")
    StaffAction.objects.all().delete()
    return {
        **{verb: (lambda who, _verb=verb, _post=prepared(verb): SERVICE[_verb](_post, who)) for verb in MODERATION},
        "edit": lambda who: services.edit_question(question, who, body="Edited by someone else."),
        "answer": lambda who: services.answer_question(question, who, "Official."),
        "schedule": lambda who: meetings.schedule_meeting(who, facility=facility, title="New forum", starts_at=timezone.now() + dt.timedelta(days=30), place="Library"),
        "update": lambda who: meetings.update_meeting(future, who, title="Renamed forum"),
        "freeze": lambda who: meetings.freeze_docket(future, actor=who),
        "record outcome": lambda who: meetings.record_outcome(item, who, Outcome.OUT_OF_SCOPE, "No."),
        "record minutes": lambda who: meetings.record_minutes(meeting, who, "Minutes."),
        "cancel": lambda who: meetings.cancel_meeting(future, who),
        "carry over": lambda who: meetings.carry_over(meeting, actor=who),
    }


# Who may not do each verb (portal.accounts.roles has the permissions).
REFUSED = {
    **{verb: ("resident", "analyst") for verb in ("approve", "hide", "reject", "restore", "dismiss", "deny_appeal", "edit")},
    "close": ("resident",), "reopen": ("resident",),
    **{verb: ("resident", "moderator") for verb in ("answer", "record outcome", "record minutes", "cancel", "freeze", "carry over")},
    "schedule": ("resident", "analyst"), "update": ("resident", "analyst"),
}


@pytest.mark.parametrize("door", [Door.PAGE, Door.ADMIN, Door.API, Door.CLI, Door.SYSTEM])
@pytest.mark.parametrize("verb", list(REFUSED))
def test_a_role_without_the_permission_is_refused_by_the_service_whatever_the_door(verb, door, verbs, request):
    people = [request.getfixturevalue(p) for p in REFUSED[verb]] + [AnonymousUser(), make_user(f"gone-{verb}", groups=("staff", "moderator"), is_active=False)]
    for person in people:
        with through(door), pytest.raises(PermissionDenied, match=r"permission"):
            verbs[verb](person)
    no_rows()
