"""Scoped API tokens: a key shown once and stored as a hash, that may do only what its scopes and its
user's current permissions allow, and that stops at expiry or revocation, saying why."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from impact.models import ReportRun
from portal.accounts.models import ApiToken

RUNS = "/api/v1/report-runs/"
REQUEST = "impact.add_reportrun"
PUBLISH = "impact.add_reportversion"
DRAFTS = "impact.view_reportrun"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def verified_session(user):
    """An API client signed in with a session verified by a TOTP device, as after the staff login."""
    client = APIClient()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def failed_run(memphis):
    """A failed run: what retry acts on, cheap to make (no engine)."""
    from impact.models import Report

    report = Report.objects.create(facility=memphis, period_kind="month", period="2024-07",
                                   start_date=dt.date(2024, 7, 1), end_date=dt.date(2024, 8, 1))
    return ReportRun.objects.create(report=report, status=ReportRun.Status.FAILED, input_snapshot={}, input_hash="f" * 64)


def request_run(client, facility):
    return client.post(RUNS, {"facility": facility.slug, "period": "2024-07-01..2024-07-01", "monte_carlo_samples": 0}, format="json")


def test_the_key_is_shown_once_and_stored_only_as_its_hash(analyst):
    token, key = ApiToken.objects.issue(analyst, "publishing script", [PUBLISH])
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key.startswith("cip_") and len(key) > 40
    assert key not in repr(row), "the key itself is never stored"
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:12] and str(token) == f"publishing script ({key[:12]}…)"


def test_a_token_with_the_right_scope_may_do_its_verb(analyst, memphis, django_capture_on_commit_callbacks):
    _, key = ApiToken.objects.issue(analyst, "monthly runs", [REQUEST])
    with django_capture_on_commit_callbacks(execute=False):
        response = request_run(token_client(key), memphis)
    assert response.status_code == 202, response.content
    assert ReportRun.objects.get(pk=response.json()["id"]).requested_by == analyst


def test_a_token_may_not_do_what_its_scopes_leave_out(analyst, failed_run):
    """A token with scope impact.add_reportrun cannot publish, and cannot retry."""
    _, key = ApiToken.objects.issue(analyst, "monthly runs", [REQUEST, DRAFTS])
    client = token_client(key)
    for verb, permission in (("publish", PUBLISH), ("retry", "impact.change_reportrun")):
        response = client.post(f"{RUNS}{failed_run.pk}/{verb}/", {}, format="json")
        assert response.status_code == 403
        assert permission in response.json()["detail"] and "scopes" in response.json()["detail"]
    failed_run.refresh_from_db()
    assert failed_run.status == ReportRun.Status.FAILED


def test_a_token_stops_when_its_user_loses_the_permission(analyst, memphis):
    _, key = ApiToken.objects.issue(analyst, "monthly runs", [REQUEST])
    analyst.groups.clear()
    response = request_run(token_client(key), memphis)
    assert response.status_code == 403
    assert REQUEST in response.json()["detail"]
    assert not ReportRun.objects.exists()


def test_an_expired_token_is_refused_saying_so(analyst, memphis):
    token, key = ApiToken.objects.issue(analyst, "monthly runs", [REQUEST], days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = request_run(token_client(key), memphis)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert token_client(key).get(RUNS).status_code == 401, "a dead token is refused, not read as anonymous"


def test_a_revoked_token_is_refused_saying_so(analyst, memphis):
    token, key = ApiToken.objects.issue(analyst, "monthly runs", [REQUEST])
    assert token.revoke() is True
    assert token.revoke() is False, "revoking twice changes nothing"
    response = request_run(token_client(key), memphis)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_unknown_key_is_refused(db):
    response = token_client("cip_" + "x" * 43).get(RUNS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown API token."


def test_a_plain_authtoken_key_no_longer_works(analyst, memphis):
    response = request_run(token_client(Token.objects.create(user=analyst).key), memphis)
    assert response.status_code == 401
    assert "scoped" in response.json()["detail"]


def test_scopes_come_from_the_users_own_permissions(analyst, moderator, resident):
    with pytest.raises(ValidationError, match="impact.add_reportversion"):
        ApiToken.objects.issue(moderator, "sneaky", [PUBLISH])
    with pytest.raises(ValidationError, match="at least one scope"):
        ApiToken.objects.issue(analyst, "empty", [])
    with pytest.raises(ValidationError):
        ApiToken.objects.issue(resident, "resident", ["forums.moderate_post"])
    assert not ApiToken.objects.exists()


def test_drafts_are_read_with_the_draft_scope_only(analyst, failed_run):
    _, narrow = ApiToken.objects.issue(analyst, "runs only", [REQUEST])
    _, drafts = ApiToken.objects.issue(analyst, "drafts", [DRAFTS])
    assert token_client(narrow).get(f"{RUNS}{failed_run.pk}/").status_code == 404
    assert token_client(drafts).get(f"{RUNS}{failed_run.pk}/").status_code == 200


def test_a_token_records_when_it_was_last_used(analyst):
    token, key = ApiToken.objects.issue(analyst, "reader", [DRAFTS])
    assert token.last_used_at is None
    token_client(key).get(RUNS)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_password_only_staff_session_may_not_write_but_a_verified_one_may(analyst, failed_run, django_capture_on_commit_callbacks):
    password_only = APIClient()
    password_only.force_login(analyst)
    response = password_only.post(f"{RUNS}{failed_run.pk}/retry/", {}, format="json")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert password_only.get(f"{RUNS}{failed_run.pk}/").status_code == 404, "no drafts without the second factor"
    with django_capture_on_commit_callbacks(execute=False):
        response = verified_session(analyst).post(f"{RUNS}{failed_run.pk}/retry/", {}, format="json")
    assert response.status_code == 202


def test_the_command_prints_the_key_once_and_stores_its_hash(analyst):
    out = io.StringIO()
    call_command("issue_api_token", analyst.username, "--scope", REQUEST, "--scope", PUBLISH, "--days", "30", stdout=out)
    token = ApiToken.objects.get()
    key = next(line for line in out.getvalue().splitlines() if line.startswith("cip_"))
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.scopes == [REQUEST, PUBLISH]
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)


def test_the_command_refuses_a_scope_the_user_lacks(moderator):
    with pytest.raises(CommandError, match="impact.add_reportrun"):
        call_command("issue_api_token", moderator.username, "--scope", REQUEST, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_api_token", "nobody", "--scope", REQUEST, stdout=io.StringIO())


def test_the_admin_issues_a_token_showing_its_key_once_and_revokes_it(administrator, analyst):
    client = verified_session(administrator)
    response = client.post("/admin/accounts/apitoken/add/", {
        "user": analyst.pk, "name": "publishing script", "scopes": [DRAFTS, PUBLISH], "days": 30,
    })
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get()
    page = response.content.decode()
    key = page.split("<code>")[1].split("</code>")[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert key not in client.get("/admin/accounts/apitoken/").content.decode()
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_refuses_scopes_the_user_lacks(administrator, moderator):
    response = verified_session(administrator).post("/admin/accounts/apitoken/add/", {
        "user": moderator.pk, "name": "sneaky", "scopes": [PUBLISH], "days": 30,
    })
    assert response.status_code == 200
    assert "does not have impact.add_reportversion" in response.content.decode()
    assert not ApiToken.objects.exists()
