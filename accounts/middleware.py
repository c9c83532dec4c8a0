import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from compliance.middleware import API_PREFIX

from .receivers import SEEN_AT, SIGNED_IN_AT
from .services import has_factor, mfa_required


class SessionLifetimeMiddleware:
    """End a signed-in session after SESSION_COOKIE_AGE seconds without a request (the
    idle timeout) or SESSION_MAX_HOURS after sign-in, whichever comes first.

    The session row's expiry is the idle timeout on the server; the last-seen time is
    written at most once per 1/30 of it, so that requests do not each write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session alone tells: its sign-in time is written at sign-in, gone at sign-out.
        if SIGNED_IN_AT in request.session:
            expired = self._check(request)
            if expired:
                return expired
        return self.get_response(request)

    def _check(self, request):
        now = time.time()
        session = request.session
        idle = settings.SESSION_COOKIE_AGE
        seen = session.get(SEEN_AT, now)
        if now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600:
            return self._end(request, "Your session reached its "
                             f"{settings.SESSION_MAX_HOURS}-hour limit. Sign in again.")
        if now - seen > idle:
            return self._end(request, "You were signed out after "
                             f"{idle // 60} minutes without activity.")
        if now - seen >= idle / 30:
            session[SEEN_AT] = now
        return None

    def _end(self, request, message):
        path = request.get_full_path()
        logout(request)  # flushes the session on the server
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": message}, status=401)
        messages.info(request, message)
        return redirect_to_login(path)


# What a person who must enrol a second factor may still open.
ENROLMENT_URL_NAMES = [
    "mfa_activate_totp", "mfa_index", "mfa_add_webauthn", "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes", "mfa_download_recovery_codes", "mfa_reauthenticate",
    "account_reauthenticate", "account_logout", "logout", "account_login",
]


class SecondFactorRequiredMiddleware:
    """Send someone whose role needs a second factor (settings.MFA_REQUIRED_ROLES) and who
    has none to enrol one, before any other page, the admin or the API answers them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def allowed_paths(self):
        if self._allowed is None:
            self._allowed = {reverse(name) for name in ENROLMENT_URL_NAMES}
        return self._allowed

    def __call__(self, request):
        user = request.user
        if (settings.MFA_REQUIRED_ROLES and mfa_required(user)
                and request.path_info not in self.allowed_paths()
                and not has_factor(user)):
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse({"detail": "Enrol a second factor first, on the site."},
                                    status=403)
            messages.info(request, "Your role needs a second factor. Add an authenticator "
                                   "app (or a security key) to continue.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreMiddleware:
    """No page and no API answer is kept by a browser or a proxy (`Cache-Control: no-store`).

    Static files are answered before this middleware and keep their long cache life.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
