"""A shared cache of the public pages anonymous visitors read, emptied when what they show changes.

Pages belong to a *family* ("reports", "forum"). Each family has a generation in the default
cache, and a page is stored under its family's generation: bumping the generation makes every
stored page of the family unreachable at once. Apps bump on every save or delete of the models
their pages show (``invalidate_on()`` in their ``AppConfig.ready()``), and services that change
rows with ``.update()`` or ``bulk_create()`` (which send no signals) call ``bump()`` themselves.
A per-view ``ttl`` is the backstop for what no signal sees (a display name, time passing, a bump
lost while the cache was down).

Only an anonymous GET or HEAD without a session or messages cookie is served from the cache, and
only a 200 that sets no cookie, used no CSRF token and wrote nothing to the session is stored.
Everyone else gets a fresh render marked ``private, no-cache``. Every response of a decorated view
carries an ETag (a hash of its body), so a conditional GET answers 304; shared responses also carry
``Last-Modified`` (when that copy was rendered), ``Cache-Control: public, max-age=…`` and
``Vary: Cookie, Accept-Language``.

A failing cache (Redis stopped) never fails a page: the page is rendered as if uncached, one
warning is logged per outage, and the cache is not asked again for RETRY_SECONDS.

Settings, read when used: ``PAGE_CACHE_ENABLED`` (default True) and ``PAGE_CACHE_RELEASE``
(default ""): part of every key, so a deploy that changes templates starts with an empty cache.
"""

import functools
import hashlib
import logging
import secrets
import threading
import time

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

log = logging.getLogger(__name__)

# Every key starts with this; tests give each test its own prefix (tests/conftest.py) rather than
# clearing a cache that, with Redis, may be shared with the Celery broker.
KEY_PREFIX = "page"

# What browsers and proxies may keep without asking again, for pages that change when anything is
# published or posted (lists, the home page, feeds, "latest" URLs).
SHORT_MAX_AGE = 60
# How long the cache keeps a copy at most when no signal says it changed.
DEFAULT_TTL = 600

# With Redis' 1 s socket timeout a page's three cache calls could add 3 s to every request during
# an outage; after a failure the cache is left alone for this long.
RETRY_SECONDS = 5

SAFE_METHODS = ("GET", "HEAD")


class _Outage:
    """Whether the cache is failing: one warning per outage, and no calls for RETRY_SECONDS after a failure."""

    def __init__(self):
        self._lock = threading.Lock()
        self.failing = False
        self.retry_at = 0.0

    def skipping(self):
        return self.failing and time.monotonic() < self.retry_at

    def failed(self, exc):
        with self._lock:
            first, self.failing = not self.failing, True
            self.retry_at = time.monotonic() + RETRY_SECONDS
        if first:
            log.warning("page cache unavailable (%s: %s); rendering every page until it returns", type(exc).__name__, exc)

    def recovered(self):
        if self.failing:
            self.failing = False
            log.info("page cache is back")


outage = _Outage()


def _call(method, *args, force=False, **kwargs):
    """``cache.<method>(...)``, or None while the cache fails. ``force``: try even during an outage."""
    if outage.skipping() and not force:
        return None
    try:
        result = getattr(cache, method)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - redis ConnectionError, TimeoutError, a corrupt pickle...
        outage.failed(exc)
        return None
    outage.recovered()
    return result


# --- Generations ---------------------------------------------------------------------------------


def _generation_key(family):
    return f"{KEY_PREFIX}:gen:{family}"


def _new_generation():
    # Random, not a counter: a generation evicted from the cache is replaced by a new one, never by
    # an old one whose pages may still be stored.
    return secrets.token_hex(8)


def generation(family):
    """The family's current generation, created on first use; None while the cache fails."""
    key = _generation_key(family)
    current = _call("get", key)
    if current is None and not outage.skipping():
        new = _new_generation()
        current = new if _call("add", key, new, timeout=None) else _call("get", key)
    return current


def _bump_now(family):
    _call("set", _generation_key(family), _new_generation(), timeout=None, force=True)


def bump(family):
    """Make every stored page of ``family`` stale, now and again when the transaction commits.

    The second bump is the one that counts: until the commit, other processes still read the old
    rows, and a page they render then may be stored under the first new generation. The first
    one covers reads inside this same transaction (and tests, whose transactions never commit).
    """
    _bump_now(family)
    transaction.on_commit(lambda: _bump_now(family))


def invalidate_on(family, *models):
    """Bump ``family`` whenever a row of one of ``models`` (classes or "app_label.Model") is saved or deleted."""

    def changed(sender, **kwargs):
        bump(family)

    for model in models:
        if isinstance(model, str):
            model = apps.get_model(model)
        uid = f"pagecache:{family}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)


# --- The decorator -------------------------------------------------------------------------------


def _enabled():
    return getattr(settings, "PAGE_CACHE_ENABLED", True)


def _anonymous_without_state(request):
    """No account, and no session or messages cookie: the page cannot hold anything of this visitor."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _storable(request, response):
    """A 200 that is the same for every anonymous visitor: no cookie, no CSRF token, no session write."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # get_token() (a {% csrf_token %}) sets this; CsrfViewMiddleware then sends this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not (messages is not None and messages.added_new)
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _page_key(family, gen, request):
    lang = getattr(request, "LANGUAGE_CODE", None) or get_language() or ""
    # Scheme and host too: feeds write absolute links from them.
    parts = [getattr(settings, "PAGE_CACHE_RELEASE", ""), lang, request.scheme, request.get_host(), request.get_full_path()]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}:{family}:{gen}:{digest}"


def _etag(content):
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _shared(request, response, etag, last_modified, max_age):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


def _private(request, response):
    """A render for this visitor only. No Last-Modified: it may change without its family changing
    (a message, the visitor's own vote), and an If-Modified-Since would then wrongly get a 304."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    if response.status_code != 200 or response.streaming:
        return response
    etag = _etag(response.content)
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)


def cached_page(family, *, max_age=SHORT_MAX_AGE, ttl=DEFAULT_TTL):
    """Serve anonymous GET/HEAD requests of this view from the page cache of ``family``.

    ``max_age``: seconds browsers and proxies may keep the page (a number, or a function of the
    view's URL kwargs); ``ttl``: seconds the cache keeps a copy at most. A view whose page holds a
    CSRF token for anonymous visitors is never stored (each visitor needs their own token).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in SAFE_METHODS or not _enabled():
                return view(request, *args, **kwargs)
            if not _anonymous_without_state(request):
                return _private(request, view(request, *args, **kwargs))
            seconds = max_age(kwargs) if callable(max_age) else max_age
            gen = generation(family)
            key = _page_key(family, gen, request) if gen is not None else None
            stored = _call("get", key) if key is not None else None
            if stored is not None:
                response = HttpResponse(stored["content"])
                for name, value in stored["headers"]:
                    response[name] = value
                return _shared(request, response, stored["etag"], stored["last_modified"], seconds)
            response = view(request, *args, **kwargs)
            if not _storable(request, response):
                return _private(request, response)
            etag = _etag(response.content)
            # When this copy was rendered, not when the family last changed: a copy rendered again
            # after its ttl may differ (time passed) although nothing was bumped.
            last_modified = int(time.time())
            if key is not None:
                headers = [(name, value) for name, value in response.items()]
                stored = {"content": response.content, "headers": headers, "etag": etag, "last_modified": last_modified}
                _call("set", key, stored, timeout=ttl)
            return _shared(request, response, etag, last_modified, seconds)

        return wrapped

    return decorator
