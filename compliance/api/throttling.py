"""API rates: per personal token (or signed-in person) and per client address.

The rates come from settings.API_RATES at each request, so a change of settings (or a
test's override) applies at once; past them the answer is 429 with `Retry-After`.

The token's rate is DRF's throttle, counted once the caller is known. The address's is
counted before anything else reads the request (`AddressLimitMiddleware`): DRF checks its
throttles after authentication and permissions, so requests it refuses with 401 or 403 (a
wrong token, none at all) would never be counted, and one address could send them
without limit.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from compliance.middleware import API_PREFIX
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


class AddressLimitMiddleware:
    """Counts every API request against its address's allowance, signed in or not, and
    answers 429 past it, as DRF would (`{"detail"}`, `Retry-After`), kept by no cache.
    It comes before the middleware that reads sessions and bodies, so a refused request
    costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            throttle = AddressRateThrottle()
            if not throttle.allow_request(request, None):
                refusal = Throttled(throttle.wait())
                answer = JsonResponse({"detail": str(refusal.detail)}, status=refusal.status_code)
                if refusal.wait is not None:
                    answer["Retry-After"] = str(refusal.wait)  # whole seconds, rounded up
                add_never_cache_headers(answer)
                return answer
        return self.get_response(request)
