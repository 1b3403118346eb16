"""Site-wide request hygiene, and the access policy of every page."""

import logging
import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import resolve_url
from rest_framework.views import APIView

from . import access
from .errors import error_response

logger = logging.getLogger(__name__)

# C0 control characters (U+0000–U+001F) and DEL. An address or a query string has no use for any
# of them; a form field may hold tab, CR and LF (a textarea's line breaks), nothing else.
_CONTROL_IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_FIELD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REFUSED = (
    "The request held a control character (such as a NUL byte) in its {where}, which the portal does not accept."
)


class DropMalformedCookiesMiddleware:
    """Forget cookies whose value holds a NUL byte before anything reads them.

    PostgreSQL text cannot hold NUL, so a forged session cookie such as "abc\\x00" made the
    session lookup raise a DataError (a 500) instead of treating the visitor as signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [name for name, value in request.COOKIES.items() if "\x00" in name or "\x00" in value]
        for name in bad:
            del request.COOKIES[name]
        return self.get_response(request)


class RefuseControlCharactersMiddleware:
    """Answer 400 to control characters in the path, the query string or a posted form field.

    One check at the boundary instead of one per view: PostgreSQL cannot store NUL (a psycopg
    DataError, so a 500, wherever a NUL reached a query), and no other C0 character belongs in
    anything a person types. Form fields are urlencoded and multipart values (and names); uploaded
    files' contents are not read. JSON bodies are left to DRF, whose CharField refuses NUL itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._find(request)
        if where:
            logger.warning("Refused a control character in the %s of %s %r", where, request.method, request.path[:200])
            return error_response(request, 400, _REFUSED.format(where=where))
        return self.get_response(request)

    def _find(self, request):
        if _CONTROL_IN_ADDRESS.search(request.path):
            return "address"
        if any(_CONTROL_IN_ADDRESS.search(text) for text in _texts(request.GET)):
            return "query string"
        # request.POST parses only urlencoded and multipart bodies (files go to request.FILES),
        # and only for POST; DRF reuses the parsed form if a view reads it again.
        if request.method == "POST" and any(_CONTROL_IN_FIELD.search(text) for text in _texts(request.POST)):
            return "form fields"
        return None


def _texts(querydict):
    for key, values in querydict.lists():
        yield key
        yield from values


# Scripts and styles only from files this site serves: no inline <script>, no on…= handlers, no
# style attributes (templates use classes in static CSS instead). frame-ancestors repeats
# X-Frame-Options: DENY for browsers that read only CSP.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _api_docs_policy():
    """The API docs page runs Redoc from REDOC_DIST (drf-spectacular-sidecar's files under /static/).
    Redoc writes its own <style> elements and runs its search in a blob: worker, so this one page
    allows inline styles; its scripts still come only from files (no inline script, see
    templates/drf_spectacular/redoc.html)."""
    from urllib.parse import urlsplit

    from drf_spectacular.settings import spectacular_settings

    parts = urlsplit(spectacular_settings.REDOC_DIST)
    dist = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {dist}".strip(),
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {dist}".strip(),
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy on every response (error pages included) that has none."""

    API_DOCS_PATH = "/api/docs/"

    def __init__(self, get_response):
        self.get_response = get_response
        self.api_docs_policy = _api_docs_policy()

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.api_docs_policy if request.path_info == self.API_DOCS_PATH else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class AccessPolicyMiddleware:
    """Hold every page to its declared policy (portal.core.access) before its view runs.

    Place after AuthenticationMiddleware and django_otp's OTPMiddleware (it reads ``request.user``
    and ``is_verified()``). Anonymous visitors are sent to the policy's login page, staff without a
    verified second factor to the staff login (which asks for the TOTP code and comes back), and
    accounts without the permission get 403, or 404 where the view hides that a thing exists. A
    method a per-method declaration leaves out is a 405. A route with no declaration at all is left
    to its view, with a warning: the access matrix test is what refuses it, before it ships.

    REST API views authenticate inside the view (a token, not the session), so they are left to
    their permission class (impact.api.permissions), which reads the same declarations.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if isinstance(getattr(view_func, "cls", None), type) and issubclass(view_func.cls, APIView):
            return None
        match = request.resolver_match
        policy = access.policy_for(match, request.method)
        if policy is None:
            allowed = access.methods_of(match)
            if allowed is not None:
                return HttpResponseNotAllowed(allowed)
            # tests/test_access_matrix.py fails on such a route; here the view's own checks decide.
            logger.warning("No access policy is declared for %s (%s)", match.view_name, match.route)
            return None
        refusal = policy.refusal(request.user, view_kwargs)
        if refusal is None:
            return None
        if refusal.kind in (access.SIGN_IN, access.VERIFY):
            return redirect_to_login(request.get_full_path(), resolve_url(refusal.login))
        if refusal.kind == access.HIDDEN:
            raise Http404(refusal.reason)
        raise PermissionDenied(refusal.reason)
