"""Persona fixtures shared by every test file: anonymous, resident, another resident, moderator,
analyst and administrator. Feature-specific factories live beside the tests that use them."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def need_service(reason):
    """Skip on a laptop without the service; fail in CI, where the service is mandatory."""
    if IN_CI:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


def make_user(username, *, groups=(), is_staff=False, **extra):
    # Imported here so that Django-free suites (tests/engine) can load this file without Django.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        is_staff=is_staff,
        **extra,
    )
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


@pytest.fixture
def resident(db):
    return make_user("rosa", display_name="Rosa P.", neighbourhood="Boxtown")


@pytest.fixture
def another_resident(db):
    return make_user("kwame", display_name="Kwame", neighbourhood="Westwood")


@pytest.fixture
def moderator(db):
    return make_user("mo", groups=("moderator",), is_staff=True, display_name="Moderator Mo")


@pytest.fixture
def analyst(db):
    return make_user("ana", groups=("analyst",), is_staff=True, display_name="Analyst Ana")


@pytest.fixture
def administrator(db):
    return make_user("admin", groups=("administrator",), is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous(client):
    """A client with no session: a member of the public."""
    return client


@pytest.fixture
def login(client):
    """Log a user in on the shared test client and return it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
