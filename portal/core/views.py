"""Site-wide error handlers (named in portal/urls.py)."""

import sys

from django.db import InterfaceError, OperationalError
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
