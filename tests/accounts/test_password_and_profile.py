"""Password reset by e-mail, password change, and the profile page."""

import re

from django.core import mail


def test_password_reset_mails_a_link_that_sets_a_new_password(anonymous, resident):
    response = anonymous.post("/accounts/password/reset/", {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = anonymous.get(path, follow=True)
    assert form_page.status_code == 200
    done = anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": "a brand new passphrase 7", "new_password2": "a brand new passphrase 7"})
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("a brand new passphrase 7")


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(anonymous, db):
    response = anonymous.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_a_resident_changes_display_name_and_neighbourhood(login, resident):
    client = login(resident)
    response = client.post("/accounts/profile/", {"display_name": "Rosa Parks", "neighbourhood": "Whitehaven"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.display_name, resident.neighbourhood) == ("Rosa Parks", "Whitehaven")


def test_the_profile_needs_a_login(anonymous, db):
    response = anonymous.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_role_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.filter(name__in=["resident", "moderator", "staff"]).values_list("name", flat=True)) == {
        "resident",
        "moderator",
        "staff",
    }


def test_password_reset_mails_are_limited_per_ip(anonymous, resident, settings):
    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "password_reset": {"ip": (1, 3600)}}
    anonymous.post("/accounts/password/reset/", {"email": resident.email})
    response = anonymous.post("/accounts/password/reset/", {"email": resident.email})
    assert response.status_code == 429
    assert resident.email in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_resident_cannot_rename_themselves_staff_but_staff_may(login, resident, moderator):
    login(resident).post("/accounts/profile/", {"display_name": "Portal Staff", "neighbourhood": ""})
    resident.refresh_from_db()
    assert resident.display_name == "Rosa P."
    login(moderator).post("/accounts/profile/", {"display_name": "Moderator Mo (portal)", "neighbourhood": ""})
    moderator.refresh_from_db()
    assert moderator.display_name == "Moderator Mo (portal)"


def test_an_unverified_account_can_reset_its_password_and_is_then_confirmed(anonymous, resident):
    resident.is_active = False
    resident.save()
    anonymous.post("/accounts/password/reset/", {"email": resident.email})
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = anonymous.get(path, follow=True)
    anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": "a brand new passphrase 7", "new_password2": "a brand new passphrase 7"})
    resident.refresh_from_db()
    assert resident.is_active and resident.email_verified_at is not None


def test_a_deactivated_account_gets_no_reset_mail(anonymous, resident):
    from django.utils import timezone

    resident.is_active, resident.email_verified_at = False, timezone.now()
    resident.save()
    anonymous.post("/accounts/password/reset/", {"email": resident.email})
    assert len(mail.outbox) == 0
