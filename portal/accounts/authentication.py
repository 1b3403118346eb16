"""API authentication by scoped token: ``Authorization: Token cip_…`` (see models.ApiToken).

The token rides on the user as ``user.api_token``, so the access policies (portal.core.access)
limit the request to the token's scopes, and let the token stand in for a second factor.
DRF's plain authtoken keys are refused with a message saying what replaced them.
"""

import datetime as dt

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import API_KEY_PREFIX, ApiToken, hash_api_key

# Write last_used_at at most this often, so a busy script does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """TokenAuthentication over ApiToken: the presented key is hashed and looked up by its hash."""

    model = ApiToken

    def authenticate_credentials(self, key):
        if not key.startswith(API_KEY_PREFIX):
            raise exceptions.AuthenticationFailed(
                "This is not a scoped API token: plain tokens no longer work. Ask an administrator for a scoped "
                "one (manage.py issue_api_token), or send no token to read."
            )
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_api_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown API token.")
        reason = token.refusal()
        if reason:
            raise exceptions.AuthenticationFailed(reason)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.user
        user.api_token = token
        return user, token
