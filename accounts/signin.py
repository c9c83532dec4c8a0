"""What django-axes asks of the product: whose attempt, from where, and the lockout page."""

import math

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm
from allauth.account.utils import get_next_redirect_url
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
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
    addresses they came. axes keeps a row per username, address and browser, each
    forgotten a cool-off after its own last failure; each failure here brings the
    username's rows still counted up to its time, so they are forgotten together (and a
    lockout is not lengthened by the tries it refuses)."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and not getattr(request, "axes_locked_out", False):
            username = get_client_username(request, credentials)
            if username:
                (AccessAttempt.objects
                 .filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
                 .update(attempt_time=request.axes_attempt_time))
        return super().user_login_failed(sender, credentials, request, **kwargs)
