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


BULK_ADVICE = (
    "For whole reports, download each published version's open-data bundle once "
    "(/api/v1/report-versions/<id>/bundle/: every series, metric and input as CSV) instead of paging; "
    "for regular larger pulls ask the portal's staff for an API token."
)


def exception_handler(exc, context):
    """DRF's handler; a 429 also says when to come back and where bulk data lives (docs/api.md)."""
    from rest_framework.exceptions import Throttled
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        wait = int(exc.wait or 0) + (1 if exc.wait and exc.wait % 1 else 0)
        response.data = {
            "detail": f"Too many requests from this address: try again in {wait} s.",
            "retry_after_seconds": wait,
            "limit": api_settings.DEFAULT_THROTTLE_RATES.get(AnonymousThrottle.scope),
            "bulk_data": BULK_ADVICE,
        }
    return response
