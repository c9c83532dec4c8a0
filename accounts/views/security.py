from allauth.mfa.base.internal.flows import check_rate_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
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
