"""Every route, method and role answers as portal/core/access.py declares (issue 12).

The routes are not listed here: the test walks the URLconf (the admin's routes and the API
router's included), builds a URL for each from one seeded database (a published Memphis report and
a draft, a question with a reply, a meeting, …), and asks it with GET and POST (and the methods an
API view takes) as every role: anonymous, an account whose e-mail is unconfirmed, a resident, and
moderator, analyst, administrator, forum staff and superuser each with and without a verified
second factor (at the API also with scoped tokens). A route without a declared policy fails, and
so does a route whose URL cannot be built and is not listed in UNBUILT with a reason.

Admin routes follow ADMIN: the site's rule (active staff, verified device), then the model
permission of each ModelAdmin view (access.ADMIN_MODEL_VIEWS) as the ModelAdmin answers it.
"""

import contextlib
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.views import APIView

from portal.core import access, health

# --- Walking the URLconf ---------------------------------------------------------------------------


@dataclass
class Route:
    """One URL pattern, with the names a ResolverMatch would give it."""

    name: str  # the URL name as written, or "" for an unnamed route
    view_name: str  # "namespace:name", or "namespace:dotted.path.of.view" when unnamed
    namespaces: list
    pattern: str  # the whole pattern, prefixes joined, as ResolverMatch.route gives it
    kwargs: tuple  # the names the URL needs
    callback: object = field(repr=False)

    @property
    def label(self):
        return f"{self.view_name} ({self.pattern})"

    @property
    def is_api(self):
        cls = getattr(self.callback, "cls", None)
        return isinstance(cls, type) and issubclass(cls, APIView)


def _view_path(func):
    """The dotted path Django's ResolverMatch names an unnamed route by."""
    func = getattr(func, "view_class", func)
    if not hasattr(func, "__name__"):
        return f"{func.__class__.__module__}.{func.__class__.__name__}"
    return f"{func.__module__}.{func.__name__}"


def _pattern_kwargs(pattern):
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex)
    return tuple(pattern.converters)


def walk(resolver=None, prefix="", namespaces=(), kwargs=()):
    """Every URLPattern under ``resolver`` (the project's by default), includes followed."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = URLResolver._join_route(prefix, str(entry.pattern))  # as ResolverMatch.route joins them
        names = _pattern_kwargs(entry.pattern) + tuple(kwargs)
        if isinstance(entry, URLResolver):
            inner = list(namespaces) + ([entry.namespace] if entry.namespace else [])
            yield from walk(entry, here, inner, names)
        elif isinstance(entry, URLPattern):
            view = entry.name or _view_path(entry.callback)
            yield Route(entry.name or "", ":".join([*namespaces, view]), list(namespaces), here, names, entry.callback)


def undeclared(routes):
    """Routes portal/core/access.py says nothing about."""
    return [r for r in routes if access.declared(SimpleNamespace(view_name=r.view_name, namespaces=r.namespaces)) is None]


ROUTES = list(walk())


def test_every_route_has_a_declared_policy():
    missing = undeclared(ROUTES)
    assert not missing, "routes without an access policy in portal/core/access.py:\n" + "\n".join(r.label for r in missing)


def test_a_new_route_without_a_policy_is_reported():
    def secret(request):
        return HttpResponse("staff only, surely")

    patterns = [path("secret/", secret, name="secret-page"), path("", include("portal.urls"))]
    found = undeclared(walk(URLResolver(RegexPattern(r"^/"), patterns)))
    assert [r.label for r in found] == ["secret-page (secret/)"]


def test_every_declared_policy_names_a_route():
    names = {r.view_name for r in ROUTES}
    debug_only = {"django.views.static.serve"}  # portal/urls.py adds media serving with DEBUG on
    stale = sorted(set(access.ROUTES) - names - debug_only)
    assert not stale, f"portal/core/access.py declares routes that no longer exist: {stale}"


# --- The roles ------------------------------------------------------------------------------------


@dataclass
class Persona:
    """A role as the site sees it: a client (with a session or a token) and the user behind it."""

    name: str
    user: object
    verified: bool = False
    device: object = None
    token: object = None
    token_key: str = ""
    session_key: str = ""

    @property
    def api_only(self):
        return bool(self.token_key)

    def seen_as(self):
        """The user the access policy judges, as OTPMiddleware or the token authentication leave it."""
        if self.user is None:
            return AnonymousUser()
        if not hasattr(self, "_seen"):
            user = self._seen = get_user_model().objects.get(pk=self.user.pk)
            user.is_verified = lambda: self.verified
            if self.token is not None:
                user.api_token = self.token
        return self._seen


STAFF_ROLES = ("moderator", "analyst", "administrator", "staff", "superuser")


def make_account(username, *, groups=(), **extra):
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", password=None, **extra)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_personas():
    """Every role: three without staff powers, five staff roles with and without the second factor,
    and scoped tokens for the API."""
    from portal.accounts.models import ApiToken

    people = [
        Persona("anonymous", None),
        Persona("unverified", make_account("unconfirmed", is_active=False)),
        Persona("resident", make_account("resident")),
    ]
    for role in STAFF_ROLES:
        groups = () if role == "superuser" else (role,)
        user = make_account(f"{role}-member", groups=groups, is_staff=True, is_superuser=role == "superuser")
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        people.append(Persona(f"{role} (password only)", user))
        people.append(Persona(f"{role} (verified)", user, verified=True, device=device))
    analyst = next(p.user for p in people if p.name.startswith("analyst"))
    moderator = next(p.user for p in people if p.name.startswith("moderator"))
    for name, user, scopes in (
        ("analyst token (every permission)", analyst, sorted(analyst.get_all_permissions())),
        ("analyst token (impact.add_reportrun only)", analyst, ["impact.add_reportrun"]),
        ("moderator token (every permission)", moderator, sorted(moderator.get_all_permissions())),
    ):
        token, key = ApiToken.objects.issue(user, name, scopes)
        people.append(Persona(name, user, token=token, token_key=key))
    for persona in people:
        if persona.user is not None and not persona.token_key:
            client = Client()
            client.force_login(persona.user)
            if persona.verified:
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = persona.device.persistent_id
                session.save()
            persona.session_key = client.session.session_key
    return people


# --- The seeded world -----------------------------------------------------------------------------


def compute(facility, period):
    """A succeeded run with its charts and downloads, as the worker makes it (no Monte Carlo)."""
    from impact import services

    run = services.request_report(facility, period, samples=0)
    services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def make_world():
    from impact import services
    from impact.models import ReportSubscription
    from impact.seed import load_memphis
    from portal.accounts.services import make_verification_token
    from portal.forums import services as forum_services
    from portal.forums.models import Meeting, PostStatus, Question, Reply

    facility, _ = load_memphis()
    run = compute(facility, "2024-07-01..2024-07-01")
    version, _ = services.publish_run(run)
    draft = compute(facility, "2024-08-01..2024-08-01")
    people = make_personas()
    resident = next(p.user for p in people if p.name == "resident")
    now = timezone.now()
    meeting = Meeting.objects.create(facility=facility, title="Public forum", starts_at=now - dt.timedelta(days=1),
                                     ends_at=now - dt.timedelta(hours=22), place="Mitchell Community Center")
    question = Question.objects.create(author=resident, title="How much gas do the turbines burn?", body="Details please.",
                                       body_html="<p>Details please.</p>", topic="energy", status=PostStatus.PUBLISHED,
                                       published_at=now, meeting=meeting)
    reply = Reply.objects.create(question=question, author=resident, body="Same here.", body_html="<p>Same here.</p>",
                                 status=PostStatus.PUBLISHED, published_at=now)
    forum_services.sync_question(question)
    subscription = ReportSubscription.objects.create(facility=facility, email="rosa@example.org", token="s" * 48)
    seed_admin_rows(resident, question, reply, facility)
    unconfirmed = next(p.user for p in people if p.name == "unverified")
    return SimpleNamespace(
        facility=facility, run=run, version=version, draft=draft, question=question, reply=reply, meeting=meeting,
        subscription=subscription, people=people, chart=run.charts.order_by("order").first().key,
        verify_token=make_verification_token(unconfirmed),
        reset=(urlsafe_base64_encode(force_bytes(resident.pk)), default_token_generator.make_token(resident)),
        device=TOTPDevice.objects.first(),
    )


def seed_admin_rows(resident, question, reply, facility):
    """A row for each admin the seed leaves empty, so that its object pages check permissions
    (the admin answers a missing object with a redirect before it asks about permissions)."""
    from django_celery_beat.models import ClockedSchedule, SolarSchedule
    from rest_framework.authtoken.models import Token

    from portal.forums.models import Flag, Notification

    Token.objects.create(user=resident)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.create(event="sunset", latitude=35.05, longitude=-90.03)
    Flag.objects.create(reply=reply, user=resident, reason="off_topic")
    Notification.objects.create(user=resident, question=question, kind=Notification.Kind.ANSWERED)
    # Measured data comes in through its verb only (the documented sample file).
    from pathlib import Path

    from impact import services
    from impact.models import Source

    sample = Path(__file__).resolve().parents[1] / "docs" / "measured" / "gas_2024-07.csv"
    services.import_measured(facility, "gas", sample.read_bytes(), source=Source.objects.first(), status="S", period="2024-07")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()  # API throttle and rate-limit counters
        yield make_world()
        transaction.set_rollback(True)


# --- Filling URLs -----------------------------------------------------------------------------------

# Routes whose URL this test cannot build, each with the reason.
UNBUILT = {
    "django.views.static.serve": "media files, served by Django only with DEBUG on: the tests' MEDIA_ROOT holds none",
}
# Routes whose success is a redirect to the login page.
LOGIN_IS_SUCCESS = {"accounts:verify": "a confirmed account is sent to log in"}

API_DETAIL_OBJECTS = {
    "api:facility-detail": lambda w: w.facility.slug,
    "api:assumption-detail": lambda w: w.facility.all_assumptions.first().pk,
    "api:scenario-detail": lambda w: w.facility.scenarios.first().pk,
    "api:report-detail": lambda w: w.version.report_id,
    "api:report-version-detail": lambda w: w.version.pk,
    "api:report-version-bundle": lambda w: w.version.pk,
    "api:report-run-detail": lambda w: w.run.pk,
    "api:report-run-result": lambda w: w.run.pk,
    "api:report-run-publish": lambda w: w.run.pk,
    "api:report-run-retry": lambda w: w.run.pk,
    "api:report-run-recompute": lambda w: w.run.pk,
    "api:report-metric-detail": lambda w: w.run.metrics.first().pk,
    "api:question-detail": lambda w: w.question.pk,
    "api:meeting-detail": lambda w: w.meeting.pk,
}


def question_slug(w):
    return w.question.get_absolute_url().rstrip("/").rsplit("/", 1)[1]


def kwargs_for(route, w):
    """The URL kwargs of ``route`` from the seeded world: a list of (variant, kwargs, query)."""
    name = route.view_name
    if name in API_DETAIL_OBJECTS:
        key = "slug" if "slug" in route.kwargs else "pk"
        base = {key: API_DETAIL_OBJECTS[name](w)}
    elif route.namespaces[:1] == ["admin"]:
        return [("", admin_kwargs(route, w), AUTOCOMPLETE_QUERY if name == "admin:autocomplete" else "")]
    else:
        base = PAGE_KWARGS.get(name, lambda w: {})(w)
    if "format" in route.kwargs:
        base["format"] = "json"
    if name in RUN_ROUTES:
        key = RUN_ROUTES[name]
        return [("published", {**base, key: w.run.pk}, ""), ("draft", {**base, key: w.draft.pk}, "")]
    return [("", base, "")]


PAGE_KWARGS = {
    "impact:report-by-id": lambda w: {"pk": w.version.pk},
    "impact:chart": lambda w: {"key": w.chart, "fmt": "png"},
    "impact:chart-language": lambda w: {"key": w.chart, "fmt": "png", "language": "es"},
    "impact:download": lambda w: {"kind": "csv"},
    "impact:report-latest": lambda w: {"facility": w.facility.slug, "period": w.version.report.period},
    "impact:report-version": lambda w: {"facility": w.facility.slug, "period": w.version.report.period, "number": w.version.number},
    "impact:facility": lambda w: {"slug": w.facility.slug},
    "impact:subscribe": lambda w: {"slug": w.facility.slug},
    "impact:subscription-confirm": lambda w: {"token": w.subscription.token},
    "impact:unsubscribe": lambda w: {"token": w.subscription.token},
    "accounts:verify": lambda w: {"token": w.verify_token},
    "accounts:password_reset_confirm": lambda w: {"uidb64": w.reset[0], "token": w.reset[1]},
    "forums:question-bare": lambda w: {"pk": w.question.pk},
    "forums:question": lambda w: {"pk": w.question.pk, "slug": question_slug(w)},
    "forums:reply": lambda w: {"pk": w.question.pk},
    "forums:vote": lambda w: {"pk": w.question.pk},
    "forums:follow": lambda w: {"pk": w.question.pk},
    "forums:answer": lambda w: {"pk": w.question.pk},
    "forums:edit": lambda w: {"pk": w.question.pk},
    "forums:flag": lambda w: {"kind": "reply", "pk": w.reply.pk},
    "forums:appeal": lambda w: {"kind": "question", "pk": w.question.pk},
    "forums:moderate": lambda w: {"kind": "question", "pk": w.question.pk},
    "forums:meeting": lambda w: {"pk": w.meeting.pk},
    "forums:meeting-ical": lambda w: {"pk": w.meeting.pk},
    "forums:meeting-record": lambda w: {"pk": w.meeting.pk},
    "feeds:topic-answers": lambda w: {"topic": "energy"},
    "feeds:topic-answers-page": lambda w: {"topic": "energy"},
}
# Routes that show one run: asked about the published run and about the draft.
RUN_ROUTES = {"impact:run": "pk", "impact:chart": "run_id", "impact:chart-language": "run_id", "impact:download": "run_id"}
# The admin's autocomplete answers one field's search: the sources of the assumption admin.
AUTOCOMPLETE_QUERY = "?app_label=impact&model_name=assumption&field_name=source&term=EPA"


def admin_model(route):
    """(model, ModelAdmin, view) for a ModelAdmin's route ("admin:impact_source_change" → …, "change")."""
    if not route.name:
        return None, None, ""
    if route.name == "auth_user_password_change":  # UserAdmin names its set-password page so, whatever the model
        model = get_user_model()
        return model, admin.site._registry[model], "password_change"
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix):
            return model, model_admin, route.name[len(prefix):]
    return None, None, ""


def admin_kwargs(route, w):
    model, _, _ = admin_model(route)
    if model is None and not route.name and "<path:object_id>/" in route.pattern:
        # The unnamed "<object_id>/" redirect of a ModelAdmin: its model is in the pattern.
        app_label, model_name = route.pattern.split("/")[1:3]
        model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app_label, model_name))
    values = {}
    for name in route.kwargs:
        if name == "object_id" and "content_type_id" in route.kwargs:
            continue  # view_on_site: filled with its content type below
        if name in ("object_id", "id"):
            row = model._default_manager.order_by("pk").first()
            assert row is not None, f"{route.label}: no {model._meta.label} row; seed one in seed_admin_rows()"
            values[name] = str(row.pk)
        elif name == "pk":  # django-otp's device config and QR code
            values[name] = w.device.pk
        elif name == "app_label":
            values[name] = "impact"
        elif name == "content_type_id":
            values[name] = ContentType.objects.get_for_model(w.question).pk
            values["object_id"] = w.question.pk
        elif name == "url":
            values[name] = "no-such-admin-page/"
    return values


def build(route, kwargs):
    """The URL of ``route`` with ``kwargs``, checked to resolve to this very pattern."""
    if route.name:
        url = reverse(route.view_name if ":" in route.view_name else route.name, kwargs=kwargs)
    else:
        url = "/" + route.pattern.lstrip("^")
        for name, value in kwargs.items():
            url = url.replace(f"<path:{name}>", str(value)).replace(f"(?P<{name}>.*)$", str(value))
    match = resolve(url)
    assert match.route == route.pattern, f"{url} resolves to {match.route}, not {route.pattern}"
    return url


# --- What the policy says, and what the site answers -------------------------------------------------


def methods_of(route):
    """GET and POST, and whatever else an API view takes (PUT, PATCH, DELETE)."""
    methods = ["GET", "POST"]
    actions = getattr(route.callback, "actions", None) or {}
    methods += sorted(m.upper() for m in actions if m.upper() not in methods and m != "head")
    return methods


def admin_rule(route, method, user, url):
    """After the site's rule: does the ModelAdmin (or the admin page) let ``user`` in? None if it
    has no rule of its own beyond the site's. Returns (allowed, status when refused)."""
    request = RequestFactory().generic(method, url)
    request.user = user
    if route.view_name == "admin:app_list":
        shown = any(
            ma.has_module_permission(request) and any(ma.get_model_perms(request).values())
            for model, ma in admin.site._registry.items() if model._meta.app_label == "impact"
        )
        return shown, 404
    if route.view_name == "admin:autocomplete":
        from impact.models import Source

        if method != "GET":
            return False, 405

        return admin.site._registry[Source].has_view_permission(request), 403
    model, model_admin, view = admin_model(route)
    if model_admin is None:
        return None, None
    assert view in access.ADMIN_MODEL_VIEWS, f"{route.label}: no rule for the admin view {view!r} in access.ADMIN_MODEL_VIEWS"
    verbs = ("change",) if (view == "change" and method == "POST") else access.ADMIN_MODEL_VIEWS[view]
    obj = None
    if {"object_id", "id", "pk"} & set(route.kwargs):
        obj = model._default_manager.order_by("pk").first()
    allowed = any(getattr(model_admin, f"has_{verb}_permission")(request, *([obj] if verb != "add" else [])) for verb in verbs)
    return allowed, 403


@dataclass
class Expected:
    kind: str  # "allowed", VIEW_HIDES or one of access's refusal kinds
    login: str = ""


# A public route whose view answers 404 for what only a staff power shows (a draft's chart):
# a GET is a 404, another method the view does not take a 405.
VIEW_HIDES = "hidden by the view"
# A signed-in route whose view decides per object for accounts without the staff power (an author
# may edit their own question while it waits for review): allowed, or the view's 403.
PER_OBJECT = "allowed, or refused by the view for this object"


def expected(route, method, persona, variant, url):
    match = SimpleNamespace(view_name=route.view_name, namespaces=route.namespaces)
    policy = access.policy_for(match, method)
    if policy is None:
        return Expected(access.METHOD)
    user = persona.seen_as()
    refusal = policy.refusal(user)
    if refusal is not None:
        return Expected(refusal.kind, refusal.login)
    if isinstance(policy, access.Public) and policy.hides and variant == "draft":
        holds = user.is_authenticated and user.is_active and policy.as_staff.held_by(user)
        return Expected("allowed" if holds else VIEW_HIDES)
    if getattr(policy, "per_object", False) and not (user.is_authenticated and policy.as_staff.held_by(user)):
        return Expected(PER_OBJECT)
    if isinstance(policy, access.Admin) and policy.need is None:
        allowed, status = admin_rule(route, method, user, url)
        if allowed is False:
            return Expected({404: access.HIDDEN, 405: access.METHOD}.get(status, access.FORBIDDEN))
    return Expected("allowed")


LOGIN_PAGES = ("/admin/login/", settings.LOGIN_URL)


def judge(route, expect, response, api, url):
    """'' if ``response`` is what ``expect`` says, else why not."""
    status = response.status_code
    location = response.get("Location", "") if status in (301, 302, 303, 307, 308) else ""
    if status >= 500:
        return f"server error {status}"
    if expect.kind in ("allowed", PER_OBJECT):
        if status == 403 and expect.kind == PER_OBJECT:
            return ""
        if status in (401, 403):
            return f"refused with {status}"
        if any(location.startswith(page) for page in LOGIN_PAGES) and route.view_name not in LOGIN_IS_SUCCESS:
            return f"sent to log in ({location})"
        if status == 404 and route.pattern != "admin/(?P<url>.*)$":  # the admin's catch-all is a 404 by design
            return "404"
        return ""
    if expect.kind == VIEW_HIDES:
        return "" if status in (404, 405) else f"{status} instead of 404"
    if expect.kind == access.HIDDEN:
        return "" if status == 404 else f"{status} instead of 404"
    if expect.kind == access.METHOD:
        return "" if status == 405 else f"{status} instead of 405"
    if expect.kind in (access.FORBIDDEN, access.SCOPE):
        if route.namespaces[:1] == ["admin"] and status == 302 and location == url:
            return ""  # impact.admin.ReadOnlyAdmin refuses a POST to its change form with a message, back on the page
        return "" if status == 403 else f"{status} instead of 403"
    if api:  # SIGN_IN, VERIFY at the API: 401 (no credentials) or 403, never a redirect
        wanted = (401, 403) if expect.kind == access.SIGN_IN else (403,)
        return "" if status in wanted else f"{status} instead of {' or '.join(map(str, wanted))}"
    login = reverse(expect.login) if ":" in expect.login else expect.login
    if status == 302 and location.startswith(login + "?next="):
        return ""
    return f"{status} {location} instead of a redirect to {login}"


def ask(persona, method, url, api):
    """One request as ``persona``, in a transaction that is rolled back (so a POST that changes
    something, such as logging out, changes nothing for the next case)."""
    client = Client(raise_request_exception=False)  # a crash is one failed case, reported as a 500
    headers = {}
    if persona.session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = persona.session_key
    if persona.token_key:
        headers["HTTP_AUTHORIZATION"] = f"Token {persona.token_key}"
    with transaction.atomic():
        response = client.generic(method, url, b"", "application/json" if api else "application/x-www-form-urlencoded", **headers)
        transaction.set_rollback(True)
    return response


@contextlib.contextmanager
def quiet_request_log():
    """Refusals are the point here: keep django.request's 403/404 warnings out of the output."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# Faults the matrix found that are not this test's to fix, strict so that the fix is noticed: DRF's
# format-suffix routes (…/publish.json) call a ViewSet's extra actions with format=, which
# impact/api/views.py's bundle, result, publish and retry do not take (a TypeError, so a 500).
FORMAT_SUFFIX_FAULT = "the action takes no format argument (impact/api/views.py): a 500"
KNOWN_FAULTS = set()  # the four format-suffix 500s (bundle, result, publish, retry) are fixed


def _case(route):
    if route.view_name in KNOWN_FAULTS and "format" in route.kwargs:
        return pytest.param(route, marks=pytest.mark.xfail(reason=FORMAT_SUFFIX_FAULT, strict=True), id=route.label)
    return pytest.param(route, id=route.label)


TIMINGS = []


@pytest.mark.parametrize("route", [_case(r) for r in ROUTES])
def test_each_role_gets_what_the_policy_declares(route, world, db):
    if route.view_name in UNBUILT:
        pytest.skip(UNBUILT[route.view_name])
    if access.declared(SimpleNamespace(view_name=route.view_name, namespaces=route.namespaces)) is None:
        pytest.fail(f"{route.label} has no access policy (see test_every_route_has_a_declared_policy)")
    started = time.perf_counter()
    failures, cases = [], 0
    # A worker beats on both queues, so /healthz answers 200 (its 503 is tested in test_production_serving).
    health.beat(health.queues(), "celery@matrix")
    with quiet_request_log():
        for variant, kwargs, query in kwargs_for(route, world):
            unfilled = sorted(set(route.kwargs) - set(kwargs))
            if unfilled:
                pytest.fail(f"{route.label}: no value for {', '.join(unfilled)}; fill it in PAGE_KWARGS (or the "
                            "admin's or the API's filler), or list the route in UNBUILT with the reason")
            url = build(route, kwargs) + query
            for persona in world.people:
                if persona.api_only and not route.is_api:
                    continue
                for method in methods_of(route):
                    expect = expected(route, method, persona, variant, url)
                    response = ask(persona, method, url, route.is_api)
                    cases += 1
                    why = judge(route, expect, response, route.is_api, url)
                    if why:
                        failures.append(f"  {method} {url} as {persona.name}: expected {expect.kind}, got {why}")
    TIMINGS.append((route.view_name, cases, time.perf_counter() - started))
    assert not failures, f"{route.label}:\n" + "\n".join(failures)


def test_tokens_do_not_open_pages(world, db):
    """A scoped token authenticates the API only: on a page it is an anonymous visitor."""
    persona = next(p for p in world.people if p.name.startswith("analyst token (every"))
    response = ask(persona, "GET", reverse("impact:run", args=[world.draft.pk]), api=False)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_second_factor_can_be_relaxed_for_development(world, db, settings):
    settings.STAFF_REQUIRE_OTP = False
    analyst = next(p for p in world.people if p.name == "analyst (password only)")
    assert ask(analyst, "GET", reverse("impact:run", args=[world.draft.pk]), api=False).status_code == 200
    moderator = next(p for p in world.people if p.name == "moderator (password only)")
    assert ask(moderator, "GET", reverse("impact:run", args=[world.draft.pk]), api=False).status_code == 403, "the role still decides"



@pytest.fixture(scope="module", autouse=True)
def _report_size():
    """With -s: how big the matrix was and how long its requests took."""
    yield
    requests, seconds = sum(c for _, c, _ in TIMINGS), sum(t for *_, t in TIMINGS)
    print(f"\naccess matrix: {len(TIMINGS)} routes, {requests} requests, {seconds:.0f} s", file=sys.stderr)


def test_the_api_views_name_the_permissions_the_policies_name():
    """A ViewSet's action_permissions (checked first, for its message) and the route's policy agree."""
    disagree = []
    for route in ROUTES:
        view = getattr(route.callback, "cls", None)
        for method, action in (getattr(route.callback, "actions", None) or {}).items():
            needed = getattr(view, "action_permissions", {}).get(action)
            policy = access.policy_for(SimpleNamespace(view_name=route.view_name, namespaces=route.namespaces), method.upper())
            if needed and not (isinstance(policy, access.Staff) and getattr(policy.need, "names", ()) == (needed,)):
                disagree.append(f"{method.upper()} {route.label}: the view needs {needed}, the policy is {policy!r}")
    assert not disagree, "\n".join(disagree)
