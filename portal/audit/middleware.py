"""Marks every request with its door (admin, API or page) for the audit log; see portal.audit.log."""

from django.urls import reverse

from .log import Door, through


class DoorMiddleware:
    """Place after AuthenticationMiddleware: rows written while the request runs name its door."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def door(self, path):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        if path.startswith(self._admin_prefix):
            return Door.ADMIN
        if path.startswith("/api/"):
            return Door.API
        return Door.PAGE

    def __call__(self, request):
        with through(self.door(request.path), request):
            return self.get_response(request)
