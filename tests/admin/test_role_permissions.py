"""Each role sees and can do in the admin what it needs, and nothing else."""

import pytest
from django.contrib.auth.models import Group

from portal.forums import services as forum_services
from portal.forums.models import PostStatus, Question
from portal.accounts.roles import ROLE_PERMISSIONS, codenames

# Change lists by the role that needs them.
PAGES = {
    "moderator": [
        "/admin/forums/question/", "/admin/forums/reply/", "/admin/forums/flag/",
        "/admin/forums/meeting/",
    ],
    "analyst": [
        "/admin/impact/facility/", "/admin/impact/source/", "/admin/impact/assumption/", "/admin/impact/scenario/",
        "/admin/impact/computefleet/", "/admin/impact/generatorgroup/", "/admin/impact/reportrun/",
        "/admin/impact/report/", "/admin/impact/reportversion/", "/admin/impact/reportartifact/",
        "/admin/django_celery_beat/periodictask/",
    ],
    "administrator": [
        "/admin/accounts/user/", "/admin/auth/group/", "/admin/otp_totp/totpdevice/",
        "/admin/impact/reportsubscription/",
    ],
}
ALL_PAGES = [(role, url) for role, urls in PAGES.items() for url in urls]


@pytest.fixture
def people(moderator, analyst, role_administrator):
    return {"moderator": moderator, "analyst": analyst, "administrator": role_administrator}


def test_the_role_groups_hold_exactly_the_permissions_in_the_table(db):
    for role in ROLE_PERMISSIONS:
        group = Group.objects.get(name=role)
        held = {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}
        assert held == set(codenames(role)), role


@pytest.mark.parametrize("role, url", ALL_PAGES)
def test_each_role_opens_its_own_pages_and_is_refused_the_others(people, staff_client, role, url):
    for person_role, person in people.items():
        status = staff_client(person).get(url).status_code
        expected = 200 if person_role == role else 403
        assert status == expected, f"{person_role} on {url}: {status}"


@pytest.mark.parametrize("role, url", ALL_PAGES)
def test_a_resident_without_staff_status_is_sent_to_the_login_page(staff_resident, login, role, url):
    page = login(staff_resident).get(url)
    assert page.status_code == 302
    assert page.url.startswith("/admin/login/")


def test_every_role_sees_the_dashboard(people, staff_client):
    for person in people.values():
        assert staff_client(person).get("/admin/").status_code == 200


def test_moderators_approve_posts_with_the_admin_action_and_analysts_cannot(people, staff_client, resident):
    question = forum_services.ask_question(resident, title="Why is it so loud at night?", body="Humming.", topic="noise")
    assert question.status == PostStatus.PENDING
    action = {"action": "approve", "_selected_action": [question.pk]}
    assert staff_client(people["analyst"]).post("/admin/forums/question/", action).status_code == 403
    assert staff_client(people["administrator"]).post("/admin/forums/question/", action).status_code == 403
    assert Question.objects.get(pk=question.pk).status == PostStatus.PENDING
    assert staff_client(people["moderator"]).post("/admin/forums/question/", action).status_code == 302
    assert Question.objects.get(pk=question.pk).status == PostStatus.PUBLISHED


def test_analysts_queue_reports_and_moderators_and_administrators_cannot(people, staff_client, memphis, django_capture_on_commit_callbacks):
    from impact.models import ReportRun

    action = {"action": "compute_report", "_selected_action": [memphis.pk], "apply": "1", "period": "2024-07", "gwp_set": "AR6"}
    for role in ("moderator", "administrator"):
        assert staff_client(people[role]).post("/admin/impact/facility/", action).status_code == 403
    assert not ReportRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert staff_client(people["analyst"]).post("/admin/impact/facility/", action).status_code == 302
    assert ReportRun.objects.count() == 1


def test_analysts_publish_and_the_others_cannot(people, staff_client, computed_run):
    run = computed_run()
    action = {"action": "publish", "_selected_action": [run.pk]}
    for role in ("moderator", "administrator"):
        assert staff_client(people[role]).post("/admin/impact/reportrun/", action).status_code == 403
    assert run.report.versions.count() == 0
    staff_client(people["analyst"]).post("/admin/impact/reportrun/", action)
    assert run.report.versions.count() == 1


def test_administrators_manage_accounts_and_roles_but_cannot_make_a_superuser(people, staff_client, resident):
    client = staff_client(people["administrator"])
    page = client.get(f"/admin/accounts/user/{resident.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content
    assert b'name="groups"' in page.content


def test_analysts_and_moderators_read_only_their_own_audit_rows_and_no_accounts(people, staff_client):
    # Every role opens the audit log; what each reads is tests/admin/test_audit_log.py's.
    for role in ("moderator", "analyst"):
        client = staff_client(people[role])
        assert client.get("/admin/audit/staffaction/").status_code == 200
        export = b"".join(client.get("/admin/audit/staffaction/export.csv").streaming_content).decode()
        assert f",{people[role].username},admin,export," in export and ",ada," not in export
        assert client.get("/admin/accounts/user/").status_code == 403


def test_the_forums_staff_group_opens_questions_and_meetings_only(staff_client, db):
    from .conftest import make_user

    sam = make_user("sam", groups=("staff",), is_staff=True)
    client = staff_client(sam)
    for url in ("/admin/forums/question/", "/admin/forums/meeting/"):
        assert client.get(url).status_code == 200, url
    for url in ("/admin/forums/flag/", "/admin/impact/facility/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/audit/staffaction/").status_code == 200  # their own rows


FORUM_VERBS = {
    # helper: the roles holding it (superusers hold everything)
    "can_moderate": {"moderator", "staff", "administrator"},
    "can_close": {"moderator", "staff", "analyst", "administrator"},
    "can_answer": {"staff", "analyst", "administrator"},
    "can_record_meetings": {"staff", "analyst", "administrator"},
    "can_cancel_meetings": {"staff", "analyst", "administrator"},
    "can_schedule_meetings": {"moderator", "staff"},
    "can_change_meetings": {"moderator", "staff"},
}


@pytest.mark.parametrize("helper", list(FORUM_VERBS))
def test_the_forums_verb_permissions_go_to_the_roles_that_had_them_by_group(helper, db):
    from portal.accounts import roles

    from .conftest import make_user

    for role in ("resident", "moderator", "staff", "analyst", "administrator"):
        person = make_user(f"{role}-{helper}", groups=(role,), is_staff=role != "resident")
        assert getattr(roles, helper)(person) is (role in FORUM_VERBS[helper]), (helper, role)
    boss = make_user(f"root-{helper}", is_staff=True, is_superuser=True)
    assert getattr(roles, helper)(boss) is True
    gone = make_user(f"gone-{helper}", groups=("staff", "moderator"), is_active=False)
    assert getattr(roles, helper)(gone) is False
