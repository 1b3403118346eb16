"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request; staff pages are never cached."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

LAST_SEEN_KEY = "staff_last_seen"
# Write the timestamp at most this often, so a busy page does not save the session on every hit.
TOUCH_EVERY_SECONDS = 30


class StaffSessionMiddleware:
    """Place after AuthenticationMiddleware, OTPMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - last > settings.STAFF_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, "Your staff session ended after a period of inactivity; please log in again.", fail_silently=True)
            elif last is None or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            add_never_cache_headers(response)
        return response
