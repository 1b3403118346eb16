"""Who may use each route: one declared policy per URL name (and per HTTP method where they differ).

Pages are held to it by :class:`portal.core.middleware.AccessPolicyMiddleware` before any view
runs; the REST API, which authenticates inside the view, by ``impact.api.permissions``. Views keep
their own checks as a second line. ``tests/test_access_matrix.py`` walks every route and role and
fails on a route this module does not declare, or on an answer that is not the declared one.

The policies:

PUBLIC       anyone.
SIGNED_IN    an active (so e-mail-confirmed) account; others are sent to the login page.
Staff(need)  an active staff account that holds ``need``, with a verified second factor (the
             admin's TOTP login) or, at the API, a scoped token that names ``need``. Anonymous
             visitors and staff without the second factor are sent to the staff login; accounts
             without ``need`` get 403 (404 with ``hides=True``, where the view hides existence).
ADMIN        the admin site's own rule (OTPAdminSite): an active staff account with a verified
             device, then the ModelAdmin's model permission (ADMIN_MODEL_VIEWS).

``as_staff`` on PUBLIC and SIGNED_IN routes names the staff power a view grants there (drafts on a
chart, hidden posts on a question page): accounts holding it must verify first. Everyone else gets
the route as the base policy says. ``settings.STAFF_REQUIRE_OTP = False`` (a laptop only) drops the
second factor here as it does in the admin; a token's scopes still apply.
"""

from dataclasses import dataclass

from django.conf import settings

# The page that asks staff for their password and TOTP code (django-otp's OTPAdminSite login).
STAFF_LOGIN = "admin:login"

# Kinds of refusal, and what each becomes: pages redirect (SIGN_IN, VERIFY) or answer 403 / 404
# (FORBIDDEN, HIDDEN); the API answers 401 / 403; METHOD is a 405.
SIGN_IN = "sign in"
VERIFY = "verify"
FORBIDDEN = "forbidden"
HIDDEN = "hidden"
SCOPE = "scope"
METHOD = "method"


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, and (SIGN_IN, VERIFY) the login page that can fix it."""

    kind: str
    reason: str
    login: str = ""


# --- What a staff policy needs -------------------------------------------------------------------


class Need:
    """What a staff policy needs; ``a | b`` needs either."""

    def __or__(self, other):
        return AnyOf(self, other)


class Perm(Need):
    """Every one of these Django permissions ("app_label.codename"); superusers hold them all."""

    def __init__(self, *names):
        self.names = names

    def held_by(self, user):
        return all(user.has_perm(name) for name in self.names)

    def in_scopes(self, scopes):
        return set(self.names) <= set(scopes)

    def __str__(self):
        return " and ".join(self.names) + (" permission" if len(self.names) == 1 else " permissions")


class AnyOf(Need):
    """Any one of these needs."""

    def __init__(self, *needs):
        self.needs = needs

    def held_by(self, user):
        return any(need.held_by(user) for need in self.needs)

    def in_scopes(self, scopes):
        return any(need.in_scopes(scopes) for need in self.needs)

    def __str__(self):
        return " or ".join(str(need) for need in self.needs)


# The permissions the policies below name: the one place to change when a verb's permission changes.
# The services check the same ones whatever the door: impact.services (REQUEST/RETRY/PUBLISH/
# DRAFT_PERMISSION) and the forum's, through portal.accounts.roles (MODERATE_POSTS, …).
DRAFTS = Perm("impact.view_reportrun")
REQUEST_RUNS = Perm("impact.add_reportrun")
RETRY_RUNS = Perm("impact.change_reportrun")
PUBLISH = Perm("impact.add_reportversion")
MODERATE_POSTS = Perm("forums.moderate_post")
CLOSE_QUESTIONS = Perm("forums.close_question")
ANSWER_QUESTIONS = Perm("forums.answer_question")
RECORD_MEETINGS = Perm("forums.record_meeting_outcomes")


# --- Policies ------------------------------------------------------------------------------------


def _signed_in(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def _verified(user):
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's OTPMiddleware
    return bool(is_verified and is_verified())


def second_factor_refusal(user, need):
    """None if ``user`` acts with a second factor (or a token scoped to ``need``), else the refusal.

    A token-authenticated API request carries its token as ``user.api_token``
    (portal.accounts.authentication); the token stands in for the second factor, for its scopes only.
    """
    token = getattr(user, "api_token", None)
    if token is not None:
        if need.in_scopes(token.scopes):
            return None
        scopes = ", ".join(token.scopes) or "none"
        return Refusal(SCOPE, f"This API token's scopes ({scopes}) do not include {need}, which this needs.")
    if not settings.STAFF_REQUIRE_OTP or _verified(user):
        return None
    return Refusal(
        VERIFY,
        "Staff pages and staff writes need a second factor: sign in at the staff console with your TOTP code, "
        "or use a scoped API token.",
        login=STAFF_LOGIN,
    )


class Policy:
    """Base: nobody is refused. ``refusal()`` answers for one request's user and URL kwargs."""

    hides = False

    def refusal(self, user, kwargs=None):
        return None


class Public(Policy):
    """Anyone; accounts holding ``as_staff`` (a power the view grants here) must verify first.

    ``hides``: what the power shows (a draft) the view answers 404 to everyone else.
    """

    def __init__(self, as_staff=None, *, hides=False):
        self.as_staff = as_staff
        self.hides = hides

    def refusal(self, user, kwargs=None):
        if self.as_staff is not None and _signed_in(user) and self.as_staff.held_by(user):
            return second_factor_refusal(user, self.as_staff)
        return None

    def __repr__(self):
        return f"Public(as_staff={self.as_staff})" if self.as_staff else "PUBLIC"


class SignedIn(Public):
    """An active account (an account whose e-mail is unconfirmed is inactive, so it counts as anonymous).

    ``per_object``: the view may still refuse (403) an account without ``as_staff`` by the object,
    e.g. a question only its author may edit, and only while it waits for review.
    """

    def __init__(self, as_staff=None, *, per_object=False):
        super().__init__(as_staff)
        self.per_object = per_object

    def refusal(self, user, kwargs=None):
        if not _signed_in(user):
            return Refusal(SIGN_IN, "Please sign in first.", login=settings.LOGIN_URL)
        return super().refusal(user, kwargs)

    def __repr__(self):
        return f"SignedIn(as_staff={self.as_staff})" if self.as_staff else "SIGNED_IN"


class Staff(Policy):
    """An active staff account holding ``need``, acting with a second factor."""

    def __init__(self, need, *, hides=False):
        self.need = need
        self.hides = hides

    def refusal(self, user, kwargs=None):
        if not _signed_in(user):
            return Refusal(SIGN_IN, "This is a staff page: sign in with your password and TOTP code.", login=STAFF_LOGIN)
        if not (user.is_staff and self.need.held_by(user)):
            return Refusal(HIDDEN if self.hides else FORBIDDEN, f"This needs a staff account with {self.need}.")
        return second_factor_refusal(user, self.need)

    def __repr__(self):
        return f"Staff({self.need}{', hides' if self.hides else ''})"


class Admin(Policy):
    """The admin site's rule (OTPAdminSite.has_permission), then ``need`` for a page of the site's own.

    The ModelAdmin's model permissions are the admin's to check (ADMIN_MODEL_VIEWS says which).
    """

    def __init__(self, need=None):
        self.need = need

    def refusal(self, user, kwargs=None):
        if not (_signed_in(user) and user.is_staff):
            return Refusal(SIGN_IN, "The staff console needs a staff sign-in.", login=STAFF_LOGIN)
        if settings.STAFF_REQUIRE_OTP and not _verified(user):
            return Refusal(VERIFY, "The staff console needs your TOTP code as well as the password.", login=STAFF_LOGIN)
        if self.need is not None and not self.need.held_by(user):
            return Refusal(FORBIDDEN, f"This needs {self.need}.")
        return None

    def __repr__(self):
        return f"Admin({self.need})" if self.need else "ADMIN"


PUBLIC = Public()
SIGNED_IN = SignedIn()
ADMIN = Admin()
# API routes that only read: public (drafts among the rows are for DRAFTS holders, see
# impact.api.permissions.sees_drafts); any other method is a 405.
READ_ONLY = {"GET": PUBLIC}

# What each ModelAdmin view needs, after the site's rule: any one of these permissions of its model
# (Django's ModelAdmin.has_*_permission), keyed by what follows "<app>_<model>_" in the URL name.
ADMIN_MODEL_VIEWS = {
    "changelist": ("view", "change"),
    "add": ("add",),
    "change": ("view", "change"),  # saving (POST) needs change
    "history": ("view", "change"),
    "delete": ("delete",),
    "password_change": ("change",),  # UserAdmin's set-password form
    "config": ("view", "change"),  # django-otp's TOTP device: its otpauth URI
    "qrcode": ("view", "change"),
    "export": ("view",),  # the audit log as CSV
}


# --- The routes ----------------------------------------------------------------------------------
# Keyed by URL name ("namespace:name"); an unnamed route by its view's dotted path. A dict gives a
# policy per method (HEAD and OPTIONS as GET); a method it does not list is refused with 405.
# Routes under the admin's namespace that are not listed here follow ADMIN.

ROUTES = {
    # impact: the public report site. Drafts are for DRAFTS holders: the run page answers 403 to
    # other accounts and the chart and download URLs 404 (impact/views.py), so a moderator sees none.
    "impact:home": PUBLIC,
    "impact:methods": PUBLIC,
    "impact:glossary": PUBLIC,
    "impact:report-list": PUBLIC,
    "impact:report-by-id": PUBLIC,
    "impact:report-latest": PUBLIC,
    "impact:report-version": PUBLIC,
    "impact:run": Staff(DRAFTS),
    "impact:chart": Public(as_staff=DRAFTS, hides=True),
    "impact:chart-language": Public(as_staff=DRAFTS, hides=True),
    "impact:download": Public(as_staff=DRAFTS, hides=True),
    "impact:facility": PUBLIC,
    "impact:subscribe": PUBLIC,
    "impact:subscription-confirm": PUBLIC,
    "impact:unsubscribe": PUBLIC,
    "impact:report-feed": PUBLIC,
    "impact:report-feed-page": PUBLIC,
    # accounts
    "accounts:signup": PUBLIC,
    "accounts:signup-done": PUBLIC,
    "accounts:verify": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:profile": SIGNED_IN,
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    # The language switcher: anyone (POST sets the cookie; GET only redirects back).
    "accounts:set_language": PUBLIC,
    # forum: moderators and forum staff see posts that are off the site, flags and the moderation
    # history on a question's page, and moderators may edit any question: they verify first.
    "forums:questions": PUBLIC,
    "forums:ask": SIGNED_IN,
    "forums:similar": PUBLIC,
    "forums:search": PUBLIC,
    "forums:stats": PUBLIC,
    "forums:question-bare": Public(as_staff=MODERATE_POSTS | ANSWER_QUESTIONS),
    "forums:question": Public(as_staff=MODERATE_POSTS | ANSWER_QUESTIONS),
    "forums:reply": SIGNED_IN,
    "forums:vote": SIGNED_IN,
    "forums:follow": SIGNED_IN,
    "forums:answer": Staff(ANSWER_QUESTIONS),
    "forums:edit": SignedIn(as_staff=MODERATE_POSTS, per_object=True),
    "forums:flag": SignedIn(as_staff=MODERATE_POSTS),
    "forums:appeal": SIGNED_IN,
    # One decision on a post: moderators approve, hide and restore; closing and reopening is its own verb.
    "forums:moderate": Staff(MODERATE_POSTS | CLOSE_QUESTIONS),
    "forums:moderation-queue": Staff(MODERATE_POSTS),
    "forums:moderation-log": Staff(MODERATE_POSTS),
    "forums:moderation-report": PUBLIC,
    "forums:meetings": PUBLIC,
    "forums:meeting": PUBLIC,
    "forums:meeting-ical": PUBLIC,
    "forums:meeting-record": Staff(RECORD_MEETINGS),
    "feeds:answers": PUBLIC,
    "feeds:topic-answers": PUBLIC,
    "feeds:answers-page": PUBLIC,
    "feeds:topic-answers-page": PUBLIC,
    # The REST API: reads are public; staff writes name the permission of their verb.
    "healthz": READ_ONLY,  # load balancers: the database, the broker, a worker per queue
    "api:schema": READ_ONLY,
    "api:api-docs": READ_ONLY,
    "api:api-root": READ_ONLY,
    "api:facility-list": READ_ONLY,
    "api:facility-detail": READ_ONLY,
    "api:assumption-list": READ_ONLY,
    "api:assumption-detail": READ_ONLY,
    "api:scenario-list": READ_ONLY,
    "api:scenario-detail": READ_ONLY,
    "api:report-list": READ_ONLY,
    "api:report-detail": READ_ONLY,
    "api:report-version-list": READ_ONLY,
    "api:report-version-detail": READ_ONLY,
    "api:report-version-bundle": READ_ONLY,
    "api:report-run-list": {"GET": PUBLIC, "POST": Staff(REQUEST_RUNS)},
    "api:report-run-detail": READ_ONLY,
    "api:report-run-result": READ_ONLY,
    "api:report-run-publish": {"POST": Staff(PUBLISH)},
    "api:report-run-retry": {"POST": Staff(RETRY_RUNS)},
    "api:report-run-recompute": {"POST": Staff(REQUEST_RUNS)},  # a new run from the current inputs
    "api:report-metric-list": READ_ONLY,
    "api:report-metric-detail": READ_ONLY,
    "api:series-point-list": READ_ONLY,
    "api:question-list": READ_ONLY,
    "api:question-detail": READ_ONLY,
    "api:meeting-list": READ_ONLY,
    "api:meeting-detail": READ_ONLY,
    # The admin: its login page is open; every other page is ADMIN.
    "admin:login": PUBLIC,
    # Media files, served by Django only with DEBUG on (portal/urls.py).
    "django.views.static.serve": PUBLIC,
}

ADMIN_NAMESPACE = "admin"
_SAME_AS_GET = {"HEAD": "GET", "OPTIONS": "GET"}


def declared(match):
    """The declaration for a resolved route (a policy or a dict of them by method), or None."""
    if match.view_name in ROUTES:
        return ROUTES[match.view_name]
    if match.namespaces[:1] == [ADMIN_NAMESPACE]:
        return ADMIN
    return None


def policy_for(match, method):
    """The policy for ``method`` on a resolved route; None if nothing is declared for it."""
    found = declared(match)
    if isinstance(found, dict):
        return found.get(_SAME_AS_GET.get(method, method))
    return found


def methods_of(match):
    """The methods a per-method declaration allows (for a 405's Allow header); None for any method."""
    found = declared(match)
    if not isinstance(found, dict):
        return None
    allowed = set(found)
    allowed.update(alias for alias, method in _SAME_AS_GET.items() if method in found)
    return sorted(allowed)
