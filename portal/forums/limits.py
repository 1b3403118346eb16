"""The forum's rate limits: portal.core.ratelimit's windows, with the forum's idea of a new account."""

from django.conf import settings
from django.utils import timezone

from portal.core import ratelimit


def is_new_account(user):
    """A young account, or one with fewer reviewed posts than the review threshold, gets tighter limits."""
    if not getattr(user, "is_authenticated", False):
        return True
    if user.is_trusted or user.is_staff:
        return False
    age = timezone.now() - user.date_joined
    if age.days < settings.FORUM_NEW_ACCOUNT_DAYS:
        return True
    from .services import needs_review  # services imports this module; import late

    return needs_review(user)


def check(request, action):
    """Count one forum ``action`` (question, reply, vote, flag) for the account and IP address."""
    return ratelimit.check(request, action, new_account=is_new_account)
