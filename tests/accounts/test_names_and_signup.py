"""Names and sign-up without leaks (issue 11): reserved words are caught after confusable folding,
invisible characters are stripped from display names, sign-up answers the same whether or not
the address has an account, and failed logins are counted atomically."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from portal.accounts import throttle
from portal.core.text import skeleton

from .test_signup import FORM, sign_up

User = get_user_model()


# --- Reserved names, after confusable folding ---------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("name", [
    "St\u0430ff Member",        # Cyrillic а
    "\u0405taff",               # Cyrillic DZE for S
    "\uff33\uff54\uff41\uff46\uff46",  # fullwidth
    "Moder\u0430tor Jo",
    "m0derat0r",                # digit zero for o
    "Offic\u0456al",            # Cyrillic і
    "St\u200baff",              # zero-width space inside the word
    "\u0391dmin",               # Greek Alpha
])
def test_lookalike_reserved_names_are_refused_at_sign_up(anonymous, name):
    response = sign_up(anonymous, display_name=name)
    assert response.status_code == 200
    assert "kept for the portal" in response.content.decode()
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Stafford Lee", "Ms Neighbour", "Мария Иванова", "Chidi Okafor", "Zoë"])
def test_names_that_merely_look_latin_or_contain_a_reserved_word_are_accepted(anonymous, name):
    assert sign_up(anonymous, display_name=name).status_code == 302
    assert User.objects.get(email="neighbour@example.org").display_name == name


def test_the_skeleton_folds_lookalikes_to_the_same_string():
    assert skeleton("St\u0430ff") == skeleton("staff") == skeleton("STAFF")
    assert skeleton("m0derator") == skeleton("moderator")
    assert skeleton("Stafford") != skeleton("staff")


@pytest.mark.django_db
def test_a_resident_cannot_rename_themselves_to_a_lookalike_of_staff(login, resident):
    client = login(resident)
    response = client.post("/accounts/profile/", {"display_name": "Portal St\u0430ff", "neighbourhood": ""})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert "ff" not in resident.display_name


# --- Invisible characters and addresses in display names -----------------------------------------

@pytest.mark.django_db
def test_bidi_overrides_and_zero_width_characters_are_stripped_from_a_new_display_name(anonymous):
    response = sign_up(anonymous, display_name="\u202eRosa\u200d Parks\u2069\ufeff")
    assert response.status_code == 302
    assert User.objects.get(email="neighbour@example.org").display_name == "Rosa Parks"


@pytest.mark.django_db
def test_bidi_overrides_are_stripped_from_an_edited_display_name(login, resident):
    client = login(resident)
    assert client.post("/accounts/profile/", {"display_name": "Rosa\u202a \u2066P.", "neighbourhood": ""}).status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "Rosa P."


@pytest.mark.django_db
def test_a_display_name_made_only_of_invisible_characters_is_refused(anonymous):
    response = sign_up(anonymous, display_name="\u200b\u200c\u202e")
    assert response.status_code == 200
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
def test_an_e_mail_address_is_refused_as_a_display_name(anonymous):
    response = sign_up(anonymous, display_name="neighbour@example.org")
    assert response.status_code == 200
    assert "e-mail address" in response.content.decode()
    assert not User.objects.filter(email="neighbour@example.org").exists()


@pytest.mark.django_db
def test_an_account_named_by_its_address_shows_a_neutral_name():
    staff = User.objects.create_user("ann@facility.example", email="ann@facility.example", is_staff=True)
    resident = User.objects.create_user("bob@mail.example", email="bob@mail.example")
    assert staff.public_name == "Portal team" and str(staff) == "Portal team"
    assert resident.public_name == "Resident"


# --- Sign-up does not tell whether an address has an account ------------------------------------

@pytest.mark.django_db
def test_sign_up_with_a_taken_address_answers_like_a_new_one(anonymous, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = sign_up(anonymous, email="someone.new@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        taken = sign_up(anonymous, email=resident.email.upper())
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    done = anonymous.get(taken["Location"]).content.decode()
    assert "Check your e-mail" in done and "exists" not in done
    assert User.objects.filter(email__iexact=resident.email).count() == 1


@pytest.mark.django_db
def test_the_owner_of_a_taken_address_is_told_by_e_mail(anonymous, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(anonymous, email=resident.email)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert "tried to sign up" in message.subject.lower() or "tried to create" in message.body
    assert "/accounts/password/reset/" in message.body and "/accounts/login/" in message.body
    resident.refresh_from_db()
    assert resident.check_password("correct horse battery staple"), "the existing account is unchanged"
    assert resident.display_name != FORM["display_name"]


# --- Login failures are counted atomically -------------------------------------------------------

class InterleavingCache:
    """The real cache, except that another request records a failure right after the first touch
    of a failure counter: what two simultaneous failed logins do on two workers."""

    def __init__(self, real, interleave):
        self.real, self.interleave, self.busy = real, interleave, False

    def __getattr__(self, name):
        return getattr(self.real, name)

    def _then_interleave(self, key, result):
        if "login-fail:" in key and not self.busy:
            self.busy = True
            try:
                self.interleave()
            finally:
                self.busy = False
        return result

    def get(self, key, default=None):
        return self._then_interleave(key, self.real.get(key, default))

    def add(self, key, value, timeout=None):
        return self._then_interleave(key, self.real.add(key, value, timeout=timeout))


@pytest.mark.django_db
def test_two_simultaneous_failures_both_count(monkeypatch):
    real = throttle.cache
    monkeypatch.setattr(throttle, "cache", InterleavingCache(real, lambda: throttle.record_failure("rosa", "10.0.0.7")))
    throttle.record_failure("rosa", "10.0.0.7")
    monkeypatch.setattr(throttle, "cache", real)
    assert real.get(throttle._key("rosa", "10.0.0.7")) == 2
    assert real.get(throttle._ip_key("10.0.0.7")) == 2


@pytest.mark.django_db
def test_the_lock_still_starts_after_the_configured_number_of_failures(settings):
    settings.ACCOUNT_LOGIN_FAILURES = 3
    for _ in range(2):
        throttle.record_failure("rosa", "10.0.0.8")
    assert not throttle.is_locked("rosa", "10.0.0.8")
    throttle.record_failure("rosa", "10.0.0.8")
    assert throttle.is_locked("rosa", "10.0.0.8")
    throttle.clear("rosa", "10.0.0.8")
    assert not throttle.is_locked("rosa", "10.0.0.8")
