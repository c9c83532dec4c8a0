"""What django-axes asks of the product: whose attempt, from where, and the lockout page."""

import math

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm
from allauth.account.utils import get_next_redirect_url
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.html import format_html

LOCKED_MESSAGE = ("Too many failed sign-ins for this username. Try again in {minutes} "
                  "minutes, or ask a USPS manager to clear the lockout.")


def attempted_username(request, credentials):
    """The username as allauth matches it (its `lower()`, not a Unicode folding that makes
    two accounts one, as "strasse" and "straße"), so that changing its case does not earn
    an attacker five more tries, nor failures on one account lock out another."""
    username = (credentials or {}).get("username") or request.POST.get("login", "")
    return username.strip().lower() or None


def client_address(request):
    """The same client address allauth's rate limits use (proxy-aware with BEHIND_PROXY);
    None for a request that has none (a sign-in made in code, as tests do)."""
    try:
        return get_adapter().get_client_ip(request)
    except PermissionDenied:
        return request.META.get("REMOTE_ADDR")


def locked_out(request, response, credentials):
    """The sign-in page with one message, whether or not the username has an account."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    form = LoginForm(request=request)
    going = get_next_redirect_url(request)  # kept for the next try, as allauth's page does
    answer = render(request, "account/login.html", {
        "form": form, "locked_message": LOCKED_MESSAGE.format(minutes=minutes),
        "redirect_field": format_html('<input type="hidden" name="next" value="{}">', going)
        if going else ""}, status=429)
    answer["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return answer


class ChainedFailuresHandler(AxesDatabaseHandler):
    """django-axes' database handler, counting a username's failures as one chain: five,
    each within the cool-off of the one before, lock it, from whatever browsers and
    addresses they came. axes keeps a row per username, address and browser, each with the
    time of its own last failure; here every row of the username counts while its newest
    is within the cool-off, and they are forgotten together once it is not (the rows keep
    their times: the lockouts page shows when the chain began)."""

    def get_user_attempts(self, request, credentials=None):
        threshold = get_cool_off_threshold(request)
        return [attempts if attempts.filter(attempt_time__gte=threshold).exists()
                else attempts.none()
                for attempts in self.filter_user_attempts(request, credentials)]

    def clean_expired_user_attempts(self, request=None, credentials=None):
        threshold = get_cool_off_threshold(request)
        alive = (AccessAttempt.objects.filter(attempt_time__gt=threshold,
                                              username__isnull=False).values("username"))
        count, _ = (AccessAttempt.objects.filter(attempt_time__lte=threshold)
                    .exclude(username__in=alive).delete())
        return count
