from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from compliance.models import ApiToken


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, checked against the stored hash of a personal token."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        # The hash is unique: one row at most, read without ordering.
        token = next(iter(
            ApiToken.objects.active()
            .select_related("user", "user__provider")
            .filter(key_hash=ApiToken.hash_key(key))
            .order_by()
        ), None)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        # Touch last_used_at at most once a minute, to keep reads cheap.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    match_subclasses = True
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token: `Token <key>`.",
        }
