"""Throttling of anonymous API clients, counted in the shared cache (Redis in production).

The client is told apart by REMOTE_ADDR, or by the address the trusted proxies appended to
X-Forwarded-For when NUM_PROXIES is set; a client cannot dodge the limit by sending its own header.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """AnonRateThrottle that reads its rate when used, so settings changes (and tests) apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
