"""Sign-up: an inactive account, an e-mail with a link, and the link activating it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from portal.accounts import services

User = get_user_model()

FORM = {
    "email": "Neighbour@Example.org",
    "display_name": "Ms Neighbour",
    "neighbourhood": "Boxtown",
    "password1": "long enough passphrase 42",
    "password2": "long enough passphrase 42",
    "website": "",
}


def sign_up(client, **changes):
    with_changes = {**FORM, **changes}
    return client.post("/accounts/signup/", with_changes)


def verification_link(message):
    return re.search(r"https?://\S+/accounts/verify/\S+/", message.body).group(0)


@pytest.mark.django_db
def test_it_creates_an_inactive_resident_and_mails_a_link(anonymous, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(anonymous)
    assert response.status_code == 302
    user = User.objects.get(email="neighbour@example.org")
    assert not user.is_active
    assert user.awaits_verification
    assert user.groups.filter(name="resident").exists()
    assert user.password.startswith("argon2")
    assert "@" not in user.username, "usernames must not leak e-mail addresses"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neighbour@example.org"]


@pytest.mark.django_db
def test_the_link_activates_the_account_and_then_the_resident_logs_in(anonymous, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(anonymous)
    link = verification_link(mail.outbox[0])
    response = anonymous.get(link.split("127.0.0.1:8000")[-1])
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user = User.objects.get(email="neighbour@example.org")
    assert user.is_active and user.email_verified_at is not None
    login = anonymous.post("/accounts/login/", {"username": "neighbour@example.org", "password": FORM["password1"]})
    assert login.status_code == 302
    assert anonymous.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_a_used_link_changes_nothing_the_second_time(anonymous, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(anonymous)
    user = User.objects.get(email="neighbour@example.org")
    token = services.make_verification_token(user)
    assert services.verify_email(token)[1] is True
    assert services.verify_email(token)[1] is False


@pytest.mark.django_db
def test_an_altered_link_is_refused_with_a_clear_page(anonymous):
    response = anonymous.get("/accounts/verify/not-a-real-token/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_refused(anonymous, settings, resident):
    token = services.make_verification_token(resident)
    settings.ACCOUNT_VERIFY_DAYS = -1
    with pytest.raises(services.VerificationError, match="expired"):
        services.verify_email(token)


@pytest.mark.django_db
def test_a_deactivated_verified_account_is_not_reactivated_by_an_old_link(resident):
    from django.utils import timezone

    resident.email_verified_at = timezone.now()
    resident.is_active = False
    resident.save()
    _, changed = services.verify_email(services.make_verification_token(resident))
    resident.refresh_from_db()
    assert not changed and not resident.is_active


@pytest.mark.django_db
def test_differing_passwords_are_refused(anonymous):
    response = sign_up(anonymous, password2="something else entirely")
    assert "differ" in response.content.decode()
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused(anonymous):
    response = sign_up(anonymous, password1="password", password2="password")
    assert "too common" in response.content.decode()


@pytest.mark.django_db
def test_the_honeypot_catches_bots(anonymous):
    response = sign_up(anonymous, website="http://spam.example")
    assert response.status_code == 200
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
def test_sign_ups_are_limited_per_ip_with_a_429_that_keeps_the_form(anonymous, settings):
    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "signup": {"ip": (2, 3600)}}
    for n in range(2):
        assert sign_up(anonymous, email=f"n{n}@example.org").status_code == 302
    response = sign_up(anonymous, email="third@example.org")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many requests" in page
    assert "third@example.org" in page and "Ms Neighbour" in page
    assert not User.objects.filter(email="third@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Staff", "Official xAI", "the-moderator", "***"])
def test_display_names_that_impersonate_the_team_are_refused(anonymous, name):
    response = sign_up(anonymous, display_name=name)
    assert response.status_code == 200
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["signup-form", "verify-link"])
def test_a_resident_who_signed_up_to_ask_lands_on_the_ask_form_after_logging_in(
    anonymous, django_capture_on_commit_callbacks, how
):
    """/accounts/login/?next=/forum/ask/ → "create one" → sign up → the e-mailed link → log in."""
    signup_page = anonymous.get("/accounts/login/?next=/forum/ask/").content.decode()
    assert 'href="/accounts/signup/?next=/forum/ask/"' in signup_page
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post("/accounts/signup/?next=/forum/ask/", FORM)
    assert response.status_code == 302
    if how == "signup-form":
        # The page after sign-up: its "log in" link keeps next too.
        done = anonymous.get(response["Location"]).content.decode()
        assert "/accounts/login/?next=/forum/ask/" in done
    link = re.search(r"https?://\S+/accounts/verify/\S+", mail.outbox[0].body).group(0)
    verified = anonymous.get(link.split("127.0.0.1:8000")[-1])
    assert verified.status_code == 302 and verified["Location"] == "/accounts/login/?next=/forum/ask/"
    login = anonymous.post(verified["Location"], {"username": "neighbour@example.org", "password": FORM["password1"]})
    assert login.status_code == 302 and login["Location"] == "/forum/ask/"


@pytest.mark.django_db
@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_a_next_to_another_site_is_dropped_on_the_way(anonymous, django_capture_on_commit_callbacks, unsafe):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post("/accounts/signup/", {**FORM, "next": unsafe})
    assert "evil.example" not in mail.outbox[0].body
    token = re.search(r"/accounts/verify/([^/?\s]+)/", mail.outbox[0].body).group(1)
    verified = anonymous.get(f"/accounts/verify/{token}/", {"next": unsafe})
    assert verified["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_a_next_with_a_query_string_survives_sign_up(anonymous, django_capture_on_commit_callbacks):
    """The report page's "Ask a question about this chart" sends /forum/ask/?report=…&chart=… as next."""
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post("/accounts/signup/?next=/forum/ask/%3Freport%3D1%26chart%3Ddaily-supply", FORM)
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/verify/\S+", mail.outbox[0].body).group(0)
    verified = anonymous.get(link.split("127.0.0.1:8000")[-1])
    login = anonymous.post(verified["Location"], {"username": "neighbour@example.org", "password": FORM["password1"]})
    assert login["Location"] == "/forum/ask/?report=1&chart=daily-supply"
