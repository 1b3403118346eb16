"""Cache-backed rate limits per account and per IP address, and the caller's IP address.

Plumbing shared by the forum, sign-up and login, the API throttles and the staff audit log.

Fixed windows counted in django.core.cache: with Redis (production) the counts are shared by
every web process, so a limit holds across workers; the file cache used on a laptop is shared by
the processes of one machine. A window is keyed by its start, so counts expire on their own.

When the cache fails (Redis stopped, restarting, timing out) the same windows are counted in this
process's memory instead: limits still hold per process, a warning is logged once per outage,
and the request goes on. A limiter must never be the reason a resident's post is lost.
"""

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

log = logging.getLogger(__name__)


def client_ip(request):
    """The caller's address; X-Forwarded-For is trusted only as deep as NUM_PROXIES says."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


# Every key starts with this; tests give each test its own prefix instead of clearing a cache
# that, with Redis, may be shared with the Celery broker.
KEY_PREFIX = "rl"


def _key(*parts):
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{digest}"


# Counts kept while the shared cache is unreachable; bounded, and culled like any LocMemCache.
_fallback = LocMemCache("forum-rate-limit-fallback", {"OPTIONS": {"MAX_ENTRIES": 20000}})


class _Outage:
    """Remembers whether the shared cache is failing, so an outage logs one warning, not one per request."""

    # While the cache stays down, say so again at most this often.
    REPEAT_SECONDS = 300

    def __init__(self):
        self._lock = threading.Lock()
        self.since = None
        self._warned_at = None

    def failed(self, exc):
        now = time.monotonic()
        with self._lock:
            first = self.since is None
            if first:
                self.since = now
            due = self._warned_at is None or now - self._warned_at >= self.REPEAT_SECONDS
            if due:
                self._warned_at = now
        if due:
            log.warning(
                "rate-limit cache unavailable (%s: %s); counting in process memory until it returns%s",
                type(exc).__name__, exc, "" if first else f" (down {now - self.since:.0f} s)",
            )

    def recovered(self):
        if self.since is None:  # the common case: no lock, no log
            return
        with self._lock:
            since, self.since, self._warned_at = self.since, None, None
        if since is not None:
            log.info("rate-limit cache is back after %.0f s; counting there again", time.monotonic() - since)


outage = _Outage()


class _CacheWithFallback:
    """The shared cache, or this process's memory while the shared cache fails.

    Offers the cache methods counters use (add, get, set, incr, touch, delete). A ValueError is
    the cache's own answer (incr of a missing key) and passes through; any other error is taken
    as an outage: logged once, and the call is made on the in-process fallback instead. Used by
    the forum limits, the login lockout, the API throttle and the admin's service-health panel, so
    none of them can fail a request.
    """

    def __getattr__(self, name):
        shared, local = getattr(cache, name), getattr(_fallback, name)

        def call(*args, **kwargs):
            try:
                result = shared(*args, **kwargs)
            except ValueError:
                raise
            except Exception as exc:  # noqa: BLE001 - redis ConnectionError, TimeoutError, ...
                outage.failed(exc)
                return local(*args, **kwargs)
            outage.recovered()
            return result

        return call


cache_with_fallback = _CacheWithFallback()


def _count(store, key, timeout):
    # add() is atomic on Redis and memcached: only the first request of a window creates the key.
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:
        # The key expired between add() and incr(); start the window again.
        store.set(key, 1, timeout=timeout)
        return 1


def hit(scope, ident, limit, window_seconds):
    """Count one request of ``ident`` in ``scope``; return False when it is over ``limit``."""
    window = int(time.time() // window_seconds)
    key = _key(scope, ident, window_seconds, window)
    timeout = window_seconds + 5
    return _count(cache_with_fallback, key, timeout) <= limit


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""


def _refusal(scope, limit, seconds):
    """What a refused person reads, in the request's language; one message per scope and window
    unit, because the words around the numbers change with them in Spanish."""
    if seconds % 86400 == 0:
        n, unit = seconds // 86400, "day"
    elif seconds % 3600 == 0:
        n, unit = seconds // 3600, "hour"
    else:
        n, unit = seconds // 60, "minute"
    per = {
        "day": ngettext("per day", "per %(n)d days", n),
        "hour": ngettext("per hour", "per %(n)d hours", n),
        "minute": ngettext("per minute", "per %(n)d minutes", n),
    }[unit] % {"n": n}
    who = {"ip": _("from your network"), "new_account": _("for new accounts")}.get(scope, _("per account"))
    return _("Too many requests: the limit %(who)s is %(limit)d %(per)s. Your text has been kept below; please try again later.") % {
        "who": who, "limit": limit, "per": per,
    }


def check(request, action, *, new_account=None):
    """Count one ``action`` (signup, question, reply, vote, flag) for the request's account and IP.

    ``new_account(user)`` says whether the account gets the tighter "new_account" limits: that is
    a feature's policy (the forum's: portal.forums.limits), so the plumbing takes it as an argument.

    Every applicable scope is counted, so a refused request still uses up the window: hammering
    does not reset anything. Returns a Verdict whose message tells the person when to try again.
    """
    limits = settings.FORUM_RATE_LIMITS.get(action, {})
    user = getattr(request, "user", None)
    checks = []
    if "ip" in limits:
        checks.append(("ip", client_ip(request), limits["ip"]))
    if user is not None and user.is_authenticated:
        if "account" in limits:
            checks.append(("account", user.pk, limits["account"]))
        if "new_account" in limits and new_account is not None and new_account(user):
            checks.append(("new_account", user.pk, limits["new_account"]))
    refused = None
    for scope, ident, (limit, window) in checks:
        if not hit(f"{action}:{scope}", ident, limit, window) and refused is None:
            refused = (scope, limit, window)
    if refused is None:
        return Verdict(True)
    return Verdict(False, _refusal(*refused))
