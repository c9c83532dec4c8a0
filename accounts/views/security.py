from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import DeactivateTOTPView
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import LockoutClearForm, OwnFactorResetForm

from .common import add_errors, usps_manager_only


@login_required
def reset_own_factor(request):
    """Replace one's second factor: password and a current code, then enrol again. Each try
    counts against the same limit as the codes typed at sign-in (allauth's, per account),
    so a code cannot be guessed here where it could not be there."""
    form = OwnFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cleared = check_rate_limit(request.user)
            services.reset_own_factor(actor=request.user, password=form.cleaned_data["password"],
                                      code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            cleared()
            messages.success(request, "Your second factor and recovery codes were removed. "
                                      "Add your new authenticator now.")
            return redirect("mfa_activate_totp")
    return render(request, "accounts/factor_reset.html",
                  {"form": form, "has_factor": services.has_factor(request.user)})


def _lock_factors(user):
    """Hold the person's factors until the transaction ends: of two removals sent at once
    (two tabs), the second decides on what the first left."""
    list(Authenticator.objects.select_for_update().filter(user_id=user.pk)
         .values_list("pk", flat=True))


class DeactivateAuthenticatorApp(DeactivateTOTPView):
    """allauth's switching off of the authenticator app, whose form asks
    `MFAAdapter.can_delete_authenticator`, deciding with the person's factors held."""

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            _lock_factors(request.user)
            # Read again under the lock: a double click's second request finds it gone.
            if not Authenticator.objects.filter(pk=self.authenticator.pk).exists():
                messages.info(request, "Your authenticator app was already removed.")
                return HttpResponseRedirect(reverse("mfa_index"))
            return super().post(request, *args, **kwargs)


deactivate_authenticator_app = DeactivateAuthenticatorApp.as_view()


class RemoveSecurityKey(RemoveWebAuthnView):
    """allauth's removal of a security key, which asks the adapter nothing: as the
    authenticator app's removal, it keeps the last factor of a role that needs one
    (`MFAAdapter.can_delete_authenticator`), deciding with the person's factors held."""

    def form_valid(self, form):
        with transaction.atomic():
            _lock_factors(self.request.user)
            key = self.get_object()
            if get_mfa_adapter().can_delete_authenticator(key):
                return super().form_valid(form)
        messages.error(self.request, "Your role needs a second factor: this key is your only "
                                     "one. Add another (an authenticator app or a second key) "
                                     "before removing it, or replace it on “Replace your "
                                     "second factor” (your profile).")
        return HttpResponseRedirect(self.get_success_url())


remove_security_key = RemoveSecurityKey.as_view()


@usps_manager_only
def lockouts(request):
    return render(request, "accounts/lockouts.html", {
        "lockouts": services.current_lockouts(),
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    })


@usps_manager_only
@require_POST
def clear_lockout(request):
    form = LockoutClearForm(request.POST)
    if form.is_valid():
        username = form.cleaned_data["username"]
        if services.clear_lockout(actor=request.user, username=username, request=request):
            messages.success(request, f"“{username}” may sign in again.")
        else:
            messages.info(request, f"“{username}” has no failed sign-ins to clear: nothing "
                                   "changed.")
    return redirect("lockouts")
