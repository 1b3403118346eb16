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


# --- Report factories (shared by tests/impact and tests/admin) -----------------------------------
# Imports stay inside the fixtures so that Django-free suites (tests/engine) can load this file.

SHORT = "2024-07-01..2024-07-02"  # two local days: enough for every chart, fast to compute


@pytest.fixture
def memphis(db):
    """The seeded Memphis Supercluster facility."""
    from impact.seed import load_memphis

    facility, _ = load_memphis()
    return facility


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process at .delay() time (tests/impact/test_worker.py covers the real broker).

    Celery reads CELERY_* names from Django settings on every lookup, so the settings fixture
    switches it and restores it afterwards.
    """
    from portal.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert celery_app.conf.task_always_eager is True
    return celery_app


@pytest.fixture
def computed_run(memphis, eager_celery, django_capture_on_commit_callbacks):
    """A factory of succeeded, unpublished runs (two days and a small Monte Carlo by default)."""
    from impact import services

    def _make(period=SHORT, samples=20, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.request_report(memphis, period, samples=samples, **kwargs)
        run.refresh_from_db()
        return run

    return _make


@pytest.fixture
def published(computed_run, analyst):
    """Version 1 of a computed run, published by the analyst."""
    from impact import services

    run = computed_run()
    version, _ = services.publish_run(run, user=analyst)
    return version
