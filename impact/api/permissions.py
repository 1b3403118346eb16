"""Who may do what at the API: everyone reads published data; staff write with a second factor.

Each route's policy is declared in portal.core.access (the pages' middleware reads the same
table). A staff write needs the verb's permission and either a session verified with the TOTP
code or a scoped token (portal.accounts.authentication) whose scopes name that permission; a
password-only session is refused, and so is DRF's plain authtoken key.
"""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.core import access


def is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def sees_drafts(user):
    """Drafts and staff diagnostics in the API: the roles that work on reports (impact.services),
    acting with a verified second factor or a token scoped to drafts (impact.view_reportrun)."""
    from impact.services import can_see_drafts

    return can_see_drafts(user) and access.second_factor_refusal(user, access.DRAFTS) is None


class ReadOnlyOrStaff(BasePermission):
    """Reading is public; a write is held to its route's declared policy (portal.core.access).

    A view's ``action_permissions`` (action → the permission impact.services checks for that verb)
    is checked first for staff, so that a moderator's token gets a 403 naming the analyst role
    before any row is looked up; then the policy, which asks for the second factor or the scope.
    """

    message = "Only staff may change data; authenticate with a scoped staff API token."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        match = request.resolver_match
        policy = access.policy_for(match, request.method)
        if policy is None:
            if access.methods_of(match) is not None:
                raise exceptions.MethodNotAllowed(request.method)
            self.message = f"No access policy is declared for {match.view_name} (portal/core/access.py)."
            return False
        user = request.user
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if needed and is_staff(user):
            from impact.services import refusal

            reason = refusal(user, needed)
            if reason:
                self.message = reason
                return False
        refused = policy.refusal(user)
        if refused:
            self.message = refused.reason
            return False
        return True
