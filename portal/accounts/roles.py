"""Roles are Django groups. These helpers are the one place that says who may do what.

resident   anyone who signed up; may ask, reply, vote, follow and flag
moderator  reviews posts, hides and restores them, handles flags and appeals
staff      answers questions officially and runs public meetings (analysts and administrators
           count as staff; superusers may do everything)
"""

RESIDENT = "resident"
MODERATOR = "moderator"
STAFF = "staff"
ALL_ROLES = (RESIDENT, MODERATOR, STAFF)

# Groups created elsewhere in the project whose members act as staff in the forum.
STAFF_GROUPS = (STAFF, "analyst", "administrator")
MODERATOR_GROUPS = (MODERATOR, STAFF, "administrator")


def _in_groups(user, names):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached per user object: templates ask this several times per page.
    cache = getattr(user, "_role_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cache
    return bool(cache.intersection(names))


def is_moderator(user):
    """May review, hide, reject and restore posts (moderators and staff)."""
    return _in_groups(user, MODERATOR_GROUPS)


def is_staff_member(user):
    """May give official answers and record meeting outcomes."""
    return _in_groups(user, STAFF_GROUPS)


def can_post(user):
    """Signed in with a confirmed, active account."""
    return getattr(user, "is_authenticated", False) and user.is_active
