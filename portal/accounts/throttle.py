"""Login throttling: failures are counted per login name and IP address in the cache.

After ACCOUNT_LOGIN_FAILURES failures the pair is locked for ACCOUNT_LOGIN_LOCKOUT_MINUTES; a
successful login clears the count. Keyed on the pair so that one attacker cannot lock a resident
out from everywhere by guessing at their address. One address failing with many names is stopped
after ACCOUNT_LOGIN_FAILURES_PER_IP failures (credential stuffing).
"""

import hashlib

from django.conf import settings

from portal.core import ratelimit

# The shared cache, or process memory while it is down (a lockout must never fail a sign-in).
cache = ratelimit.cache_with_fallback


def _key(login_name, ip):
    digest = hashlib.sha256(f"{(login_name or '').strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"{ratelimit.KEY_PREFIX}:login-fail:{digest}"


def _lockout_seconds():
    return settings.ACCOUNT_LOGIN_LOCKOUT_MINUTES * 60


def _ip_key(ip):
    return f"{ratelimit.KEY_PREFIX}:login-fail-ip:" + hashlib.sha256(str(ip).encode()).hexdigest()[:32]


def is_locked(login_name, ip):
    """Locked for this name from this address, or this address tried too many names."""
    return (
        cache.get(_key(login_name, ip), 0) >= settings.ACCOUNT_LOGIN_FAILURES
        or cache.get(_ip_key(ip), 0) >= settings.ACCOUNT_LOGIN_FAILURES_PER_IP
    )


def record_failure(login_name, ip):
    """Count one failed attempt; the lock lasts the lockout period from the latest failure.

    add + incr, not get + set: two failures at the same moment on two workers both count. Redis
    INCR is atomic across processes and the local-memory cache locks; Django's file cache
    implements incr as get + set, so on a laptop (one process) the count is only per process.
    With Redis down the count is kept in this process's memory until it returns.
    """
    count = 0
    for key in (_key(login_name, ip), _ip_key(ip)):
        cache.add(key, 0, timeout=_lockout_seconds())
        try:
            value = cache.incr(key)
        except ValueError:
            # The key expired between add and incr: this failure starts a new count.
            cache.add(key, 0, timeout=_lockout_seconds())
            value = cache.incr(key)
        cache.touch(key, timeout=_lockout_seconds())
        count = count or value
    return count


def clear(login_name, ip):
    cache.delete(_key(login_name, ip))
