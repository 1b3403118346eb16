"""Who may do what: everyone reads published data; staff with a token (or session) write."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def sees_drafts(user):
    """Drafts and staff diagnostics in the API: the roles that work on reports (impact.services)."""
    from impact.services import can_see_drafts

    return can_see_drafts(user)


class ReadOnlyOrStaff(BasePermission):
    """Reading is public; writing (requesting and publishing runs) is for active staff accounts,
    and then for the role the action needs: a view's ``action_permissions`` maps an action
    (create, publish, retry) to the Django permission impact.services checks for that verb, so a
    forum moderator's token gets a 403 before any row is looked up."""

    message = "Only staff may change data; authenticate with a staff API token."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not is_staff(request.user):
            return False
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if needed:
            from impact.services import refusal

            reason = refusal(request.user, needed)
            if reason:
                self.message = reason
                return False
        return True
