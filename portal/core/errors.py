"""Error answers that never touch the database: a templated page, or JSON under /api/.

The pages are rendered without the request, so no context processor runs (the user and the
messages come from the session, which lives in the database that may be the thing that failed).
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

# Seconds a client should wait before trying again after a 503 (the Retry-After header).
DATABASE_RETRY_AFTER_SECONDS = 30


def wants_json(request):
    """API clients get JSON errors in DRF's shape ({"detail": …}); everyone else an HTML page."""
    return request.path_info.startswith("/api/")


def error_response(request, status, message, *, template=None, context=None):
    """A ``status`` answer saying ``message``, as ``<status>.html`` or as JSON for the API."""
    if wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    html = render_to_string(template or f"{status}.html", {"message": message, **(context or {})})
    return HttpResponse(html, status=status)


def database_unavailable(request):
    """503 with Retry-After: the database is unreachable, and waiting is the right thing to do."""
    response = error_response(
        request, 503, "The database cannot be reached just now; try again shortly.",
        context={"retry_after": DATABASE_RETRY_AFTER_SECONDS},
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class OneTracebackPerOutage(logging.Filter):
    """Keeps django.request from logging the same database traceback for every request of an outage.

    With PostgreSQL down, each request fails alike (the 503 above) and Django logs each one with
    its traceback: about 330 in 20 s in the fault test. The first of an outage passes, then one
    a minute saying how many like it were left out; other errors are never touched.
    """

    INTERVAL_SECONDS = 60
    # One outage clock for the process, shared by every instance (logging set up twice makes two).
    _lock = threading.Lock()
    _last = None
    _dropped = 0

    def filter(self, record):
        # Logging set up twice (as the schema tests' client does) leaves two of these filters on
        # the logger: a record is judged once, and the second filter repeats the first's verdict.
        verdict = getattr(record, "database_outage_verdict", None)
        if verdict is None:
            verdict = record.database_outage_verdict = self._judge(record)
        return verdict

    def _judge(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, (OperationalError, InterfaceError)):
            return True
        now = time.monotonic()
        cls = type(self)
        with cls._lock:
            if cls._last is not None and now - cls._last < cls.INTERVAL_SECONDS:
                cls._dropped += 1
                return False
            dropped, cls._dropped, cls._last = cls._dropped, 0, now
        if dropped:
            record.msg = f"{record.msg} ({dropped} more requests failed on the database since the last such log, not logged)"
        return True

