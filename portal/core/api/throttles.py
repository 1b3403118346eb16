"""Throttling of anonymous API clients, counted in the shared cache (Redis in production).

The client is told apart by REMOTE_ADDR, or by the address the trusted proxies appended to
X-Forwarded-For when NUM_PROXIES is set; a client cannot dodge the limit by sending its own header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from portal.core import ratelimit


class AnonymousThrottle(AnonRateThrottle):
    """AnonRateThrottle that reads its rate when used, so settings changes (and tests) apply.

    Counts in the shared cache, or in this process's memory while the cache is down, so a Redis
    outage slows nobody's download into a 500.
    """

    cache = ratelimit.cache_with_fallback

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
