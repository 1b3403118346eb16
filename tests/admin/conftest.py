"""Fixtures for the staff console: verified staff sessions, role accounts, report factories.

The personas and the report factories (memphis, computed_run, published) come from tests/conftest.py.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from impact import services

from ..conftest import SHORT

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests log in many times and never test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Login throttles and the service-health answer live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def make_user(username, *, groups=(), **extra):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", password=PASSWORD, **extra)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def enrol(user):
    """A confirmed TOTP device for ``user``."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_token(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.fixture
def staff_client(db):
    """A client logged in as ``user`` whose session is verified by a TOTP device, as after the real login."""

    def _client(user):
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user).first() or enrol(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _client


@pytest.fixture
def role_administrator(db):
    """An administrator who is not a superuser: exactly what the administrator group allows."""
    return make_user("ada", groups=("administrator",), is_staff=True, display_name="Administrator Ada")


@pytest.fixture
def staff_resident(db):
    """A resident with no staff flag at all."""
    return make_user("rita", display_name="Rita")


@pytest.fixture
def failed_run(memphis, django_capture_on_commit_callbacks):
    """A run that a worker marked failed (no broker needed: the row is set directly)."""
    from impact.models import ReportRun

    with django_capture_on_commit_callbacks(execute=False):
        run = services.request_report(memphis, SHORT, samples=0)
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.FAILED, error="EngineError: generators cannot cover the load\n\nTraceback …"
    )
    run.refresh_from_db()
    return run
