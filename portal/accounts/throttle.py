"""Login throttling: failures are counted per login name and IP address in the cache.

After ACCOUNT_LOGIN_FAILURES failures the pair is locked for ACCOUNT_LOGIN_LOCKOUT_MINUTES; a
successful login clears the count. Keyed on the pair so that one attacker cannot lock a resident
out from everywhere by guessing at their address.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(login_name, ip):
    digest = hashlib.sha256(f"{(login_name or '').strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"login-fail:{digest}"


def _lockout_seconds():
    return settings.ACCOUNT_LOGIN_LOCKOUT_MINUTES * 60


def is_locked(login_name, ip):
    return cache.get(_key(login_name, ip), 0) >= settings.ACCOUNT_LOGIN_FAILURES


def record_failure(login_name, ip):
    """Count one failed attempt; the lock lasts the lockout period from the latest failure."""
    key = _key(login_name, ip)
    count = cache.get(key, 0) + 1
    cache.set(key, count, timeout=_lockout_seconds())
    return count


def clear(login_name, ip):
    cache.delete(_key(login_name, ip))
