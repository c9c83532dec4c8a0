"""API rates: per personal token (or signed-in person) and per client address.

The rates come from settings.API_RATES at each request, so a change of settings (or a
test's override) applies at once; DRF answers 429 with `Retry-After` past them.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from compliance.models import ApiToken


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_RATES[self.scope]


class TokenRateThrottle(_SettingsRate):
    """Each token has its own allowance; a browser session counts as its person's."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(_SettingsRate):
    """Every caller from one address shares one allowance, signed in or not."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
