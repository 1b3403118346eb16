"""Staff log in with a password and a TOTP code; failures lock out; idle sessions end; nothing is cached."""

import time

import pytest
from django.core.management import CommandError, call_command
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.staff.middleware import LAST_SEEN_KEY

from .conftest import PASSWORD, current_token, enrol


def log_in(client, user, password=PASSWORD, token=None, ip="10.0.0.7"):
    device = TOTPDevice.objects.filter(user=user).first() or enrol(user)
    data = {"username": user.get_username(), "password": password, "otp_device": device.persistent_id}
    data["otp_token"] = current_token(device) if token is None else token
    return client.post("/admin/login/?next=/admin/", data, REMOTE_ADDR=ip)


def test_a_staff_member_logs_in_with_password_and_a_valid_code(analyst, client):
    response = log_in(client, analyst)
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert client.get("/admin/").status_code == 200


def test_a_staff_member_without_a_verified_device_is_refused(analyst, login):
    client = login(analyst)  # password login on the public site: no second factor
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get("/admin/impact/facility/").status_code == 302


def test_a_wrong_code_is_refused(analyst, client):
    response = log_in(client, analyst, token="000000")
    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_password_without_a_code_is_refused(analyst, client):
    response = log_in(client, analyst, token="")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_an_account_with_no_device_cannot_log_in(analyst, client):
    response = client.post("/admin/login/", {"username": "ana", "password": PASSWORD, "otp_token": "123456"})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_residents_cannot_log_in_to_the_staff_console(resident, client):
    response = log_in(client, resident)
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_login_even_with_the_right_password_and_code(analyst, client, settings):
    settings.ACCOUNT_LOGIN_FAILURES = 3
    for _ in range(3):
        log_in(client, analyst, password="wrong")
    response = log_in(client, analyst)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # The lock is per login name and address: the same person elsewhere is not locked out.
    assert log_in(client, analyst, ip="10.9.9.9").status_code == 302


def test_without_the_otp_requirement_a_password_is_enough_for_development(analyst, client, settings):
    settings.STAFF_REQUIRE_OTP = False
    response = client.post("/admin/login/?next=/admin/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_idle_staff_session_ends(analyst, staff_client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client = staff_client(analyst)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_an_active_staff_session_continues(analyst, staff_client):
    client = staff_client(analyst)
    for _ in range(3):
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", "/admin/impact/facility/", "/admin/moderation/"])
def test_staff_pages_are_never_cached(analyst, staff_client, url):
    response = staff_client(analyst).get(url)
    for directive in ("no-cache", "no-store", "private"):
        assert directive in response["Cache-Control"]


def test_enrol_totp_prints_an_otpauth_uri_for_a_staff_account(analyst, capsys):
    call_command("enrol_totp", "ana")
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out
    assert TOTPDevice.objects.filter(user=analyst, confirmed=True).count() == 1
    with pytest.raises(CommandError, match="--replace"):
        call_command("enrol_totp", "ana")
    call_command("enrol_totp", "ana", "--replace")
    assert TOTPDevice.objects.filter(user=analyst).count() == 1


def test_enrol_totp_refuses_an_account_without_staff_status(resident):
    with pytest.raises(CommandError, match="not a staff account"):
        call_command("enrol_totp", "rosa")


def test_an_administrator_enrols_a_colleague_by_showing_the_qr_code(role_administrator, staff_client, analyst):
    device = enrol(analyst)
    client = staff_client(role_administrator)
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 200
    image = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"


def test_only_administrators_see_two_factor_devices(moderator, staff_client, analyst):
    device = enrol(analyst)
    assert staff_client(moderator).get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
