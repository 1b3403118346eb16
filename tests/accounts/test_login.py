"""Logging in and out, with throttling of failed attempts."""

import pytest
from django.core import mail

PASSWORD = "correct horse battery staple"


def log_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_resident_logs_in_with_the_email_address(anonymous, resident):
    response = log_in(anonymous, "ROSA@example.org")
    assert response.status_code == 302
    assert anonymous.get("/accounts/profile/").status_code == 200


def test_a_resident_logs_in_with_the_username(anonymous, resident):
    assert log_in(anonymous, "rosa").status_code == 302


def test_a_wrong_password_gets_a_clear_message(anonymous, resident):
    response = log_in(anonymous, "rosa", "wrong")
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_five_failures_lock_the_login_even_with_the_right_password(anonymous, resident, settings):
    settings.ACCOUNT_LOGIN_FAILURES = 5
    for _ in range(5):
        log_in(anonymous, "rosa", "wrong")
    response = log_in(anonymous, "rosa")
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_the_lock_is_per_address_so_an_attacker_cannot_lock_a_resident_out_everywhere(anonymous, resident):
    for _ in range(5):
        log_in(anonymous, "rosa", "wrong", ip="203.0.113.9")
    assert log_in(anonymous, "rosa", ip="10.0.0.1").status_code == 302


def test_a_successful_login_clears_earlier_failures(anonymous, resident, settings):
    settings.ACCOUNT_LOGIN_FAILURES = 3
    log_in(anonymous, "rosa", "wrong")
    log_in(anonymous, "rosa", "wrong")
    assert log_in(anonymous, "rosa").status_code == 302
    anonymous.post("/accounts/logout/")
    log_in(anonymous, "rosa", "wrong")
    log_in(anonymous, "rosa", "wrong")
    assert log_in(anonymous, "rosa").status_code == 302


def test_an_unverified_account_is_told_to_confirm_and_gets_a_new_link(anonymous, resident):
    resident.is_active = False
    resident.save()
    response = log_in(anonymous, "rosa")
    assert "confirm your e-mail address" in response.content.decode()
    assert len(mail.outbox) == 1


def test_logging_out_takes_a_post(login, resident):
    client = login(resident)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_one_address_trying_many_accounts_is_stopped(anonymous, resident, settings):
    settings.ACCOUNT_LOGIN_FAILURES_PER_IP = 3
    for name in ("a@example.org", "b@example.org", "c@example.org"):
        log_in(anonymous, name, "guess", ip="192.0.2.1")
    response = log_in(anonymous, "rosa", ip="192.0.2.1")
    assert "Too many failed attempts" in response.content.decode()
