"""Site-wide error handlers (named in portal/urls.py)."""

import sys

from django.db import InterfaceError, OperationalError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found

from .errors import database_unavailable, error_response, wants_json


def server_error(request):
    """handler500: a 503 with Retry-After when the database is unreachable, else the 500 page.

    Django calls this from inside its ``except`` block for any uncaught exception (in a view, a
    middleware or a template), so ``sys.exc_info()`` still names the error. OperationalError and
    InterfaceError are what the backends raise when the server is down or the connection was lost;
    a bad query raises ProgrammingError or DataError instead and stays a 500.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.")


def not_found(request, exception):
    """handler404: JSON under /api/ (DRF answers its own 404s; this covers unknown API paths)."""
    if wants_json(request):
        return error_response(request, 404, "Not found.")
    return page_not_found(request, exception)


@csrf_exempt  # a POST is refused for its method (405), not for a token no prober has
@require_safe
def healthz(request):
    """For load balancers and uptime checks: 200 when the database, the broker and a worker on
    each queue answer, else 503; the body (JSON) says which check failed. Never cached."""
    from django.http import JsonResponse
    from django.utils.cache import add_never_cache_headers

    from . import health

    result = health.report()
    response = JsonResponse(result, status=200 if result["ok"] else 503)
    add_never_cache_headers(response)
    return response
