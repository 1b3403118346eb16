"""Who may do what: everyone reads published data; staff with a token (or session) write."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class ReadOnlyOrStaff(BasePermission):
    """Reading is public; writing (requesting and publishing runs) is for active staff accounts."""

    message = "Only staff may change data; authenticate with a staff API token."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_staff(request.user)
