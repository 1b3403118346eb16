"""Factories for forum tests: facilities, report versions with a chart, questions, meetings."""

import datetime as dt
import itertools
import uuid

import pytest
from django.utils import timezone

from portal.forums import services
from portal.forums.models import Meeting, PostStatus, Question, Reply
_seq = itertools.count(1)


def make_user(username, *, groups=(), **extra):
    """Like the persona helper in tests/conftest.py: an active account with a known password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="correct horse battery staple", **extra
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; forum tests create many accounts and never test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    """Rate limits and login throttles live in the cache: each test counts under its own prefix.
    (Not cache.clear(): with Redis that would flush a database the Celery broker may share.)"""
    from portal.core import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"test-{uuid.uuid4().hex}")


def verify_second_factor(client, user):
    """Mark the client's session as verified by a TOTP device, as after the staff console's login:
    staff pages and staff powers on public pages need it (portal/core/access.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login(client):
    """Log a user in on the shared test client; staff accounts with their second factor verified."""

    def _login(user, client=client):
        client.force_login(user)
        if user.is_staff:
            verify_second_factor(client, user)
        return client

    return _login


@pytest.fixture
def staff_member(db):
    """Someone from the facility's staff who gives official answers and runs meetings."""
    return make_user("sam", groups=("staff",), is_staff=True, display_name="Sam (staff)")


@pytest.fixture
def make_resident(db):
    """Extra residents: voters, followers and flaggers."""

    def _make(name=None, **extra):
        name = name or f"resident{next(_seq)}"
        return make_user(name, display_name=name.title(), **extra)

    return _make


@pytest.fixture
def facility(db):
    from impact.models import Facility

    return Facility.objects.create(name="Memphis Supercluster", slug="memphis", time_zone="America/Chicago")


@pytest.fixture
def report_version(facility):
    """A published July 2024 report with one chart, 'generator-output'."""
    from impact.models import Report, ReportChart, ReportRun, ReportVersion

    report = Report.objects.create(
        facility=facility, period_kind="month", period="2024-07",
        start_date=dt.date(2024, 7, 1), end_date=dt.date(2024, 8, 1),
    )
    run = ReportRun.objects.create(report=report, status="succeeded", input_snapshot={}, input_hash="x" * 64)
    ReportChart.objects.create(run=run, key="generator-output", title="Generator output", alt_text="Line chart of MW", png=b"\x89PNG")
    return ReportVersion.objects.create(report=report, number=1, run=run, published_at=timezone.now())


@pytest.fixture
def make_question(db):
    """A question straight into a given state, bypassing review (the services are tested elsewhere)."""

    def _make(author, title="How much gas do the turbines burn each day?", status=PostStatus.PUBLISHED, **extra):
        now = timezone.now()
        question = Question.objects.create(
            author=author, title=title, body=extra.pop("body", "Details please."), body_html="<p>Details please.</p>",
            topic=extra.pop("topic", "energy"), status=status,
            published_at=now if status in (PostStatus.PUBLISHED, PostStatus.ANSWERED, PostStatus.CLOSED) else None,
            **extra,
        )
        services.sync_question(question)
        return question

    return _make


@pytest.fixture
def question(resident, make_question):
    return make_question(resident)


@pytest.fixture
def make_reply(db):
    def _make(question, author, status=PostStatus.PUBLISHED, body="Same here."):
        reply = Reply.objects.create(
            question=question, author=author, body=body, body_html=f"<p>{body}</p>", status=status,
            published_at=timezone.now() if status == PostStatus.PUBLISHED else None,
        )
        services.sync_question(question)
        return reply

    return _make


@pytest.fixture
def make_meeting(facility):
    def _make(days_ahead=10, **extra):
        start = timezone.now() + dt.timedelta(days=days_ahead)
        return Meeting.objects.create(
            facility=facility, title=extra.pop("title", f"Public forum {next(_seq)}"), starts_at=start,
            ends_at=start + dt.timedelta(hours=2), place=extra.pop("place", "Mitchell Community Center"), **extra,
        )

    return _make
