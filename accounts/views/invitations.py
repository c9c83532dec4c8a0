from allauth.account.forms import LoginForm
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import AcceptInvitationForm, InviteForm
from accounts.models import Invitation
from compliance.display import display_time
from compliance.sent_once import ALREADY_SENT, first_sending

from .common import add_errors, manages_people

UNUSABLE = {
    "invalid": "This invitation link is not valid. Check that you copied all of it, or ask "
               "for a new invitation.",
    "expired": "This invitation has expired. Ask the person who invited you for a new one.",
    "used": "This invitation was already used. Sign in with the account it made, or ask for "
            "a new invitation.",
    "revoked": "This invitation was withdrawn. Ask for a new one if you still need access.",
    "has_account": "Your address already has an account here: sign in with it (or reset "
                   "its password from the sign-in page). This invitation is no longer needed.",
    # Reopened by whoever may reopen it: not made again.
    "has_closed_account": "Your address has a closed account here: ask your provider's "
                          "compliance officer (or a USPS manager, if USPS closed it) to open "
                          "it again. This invitation is no longer needed.",
}
STATUS = {"invalid": 404, "expired": 410, "used": 410, "revoked": 410, "has_account": 410,
          "has_closed_account": 410}


@manages_people
def invite(request):
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Refused before the transaction that sends it: a forged form stays on record.
            services.require_may_invite(request.user, data["role"], form.provider_id())
            with transaction.atomic():
                if not first_sending(request.user, data["submission_key"], data["email"],
                                     data["role"], form.provider_id()):
                    messages.info(request, ALREADY_SENT)
                    return redirect("people")
                invitation, _ = services.invite_user(
                    actor=request.user, email=data["email"], role=data["role"],
                    provider_id=form.provider_id(), first_name=data["first_name"],
                    last_name=data["last_name"])
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works "
                                      f"once, until {display_time(invitation.expires_at)}.")
            return redirect("people")
    return render(request, "accounts/invite.html", {"form": form})


@manages_people
@require_POST
def revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    try:
        services.revoke_invitation(actor=request.user, invitation=invitation)
        messages.success(request, f"Invitation of {invitation.email} withdrawn.")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("people")


def accept(request, pk, secret):
    """The invited person chooses a username and a password, and is signed in with them;
    where their role needs a second factor, enrolling one comes next."""
    try:
        invitation = services.check_invitation(pk, secret)
    except services.InvitationUnusable as exc:
        return render(request, "accounts/invitation_unusable.html",
                      {"message": UNUSABLE[exc.reason]}, status=STATUS[exc.reason])
    form = AcceptInvitationForm(request.POST or None, initial={
        "first_name": invitation.first_name, "last_name": invitation.last_name,
        "username": invitation.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(
                pk=pk, secret=secret, username=data["username"], password=data["password1"],
                first_name=data["first_name"], last_name=data["last_name"],
                timezone_name=data["timezone"])
        except services.InvitationUnusable as exc:
            return render(request, "accounts/invitation_unusable.html",
                          {"message": UNUSABLE[exc.reason]}, status=STATUS[exc.reason])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_errors(form, exc)
            else:
                form.add_error("password1", exc)
        else:
            return _sign_in(request, user.username, data["password1"])
    return render(request, "accounts/invitation_accept.html",
                  {"form": form, "invitation": invitation,
                   "mfa_roles": settings.MFA_REQUIRED_ROLES})


def _sign_in(request, username, password):
    """Sign in through allauth's own sign-in, exactly as the sign-in page would."""
    if request.user.is_authenticated:
        logout(request)
    login = LoginForm(data={"login": username, "password": password}, request=request)
    if not login.is_valid():  # e.g. the address is rate-limited: the account exists anyway
        messages.info(request, "Your account is ready. Sign in with your new password.")
        return redirect("account_login")
    messages.success(request, "Welcome. Your account is ready.")
    return login.login(request, redirect_url="/")
