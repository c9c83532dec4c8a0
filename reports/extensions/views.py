"""The obligation page: the duty, its due-time history and the whole extension exchange."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from compliance import services
from compliance.api.fields import id_from
from compliance.errors import REFUSALS, Conflict
from compliance.forms import refuse_on_form
from compliance.models import AuditEvent, ExtensionRequest, Obligation

from .forms import DecisionForm, ExtensionRequestForm


def _history(user, obligation):
    return (AuditEvent.objects.visible_to(user).for_object(obligation)
            .select_related("actor").order_by("at", "id"))


def _render(request, obligation, request_form=None, decision_form=None, status=200):
    user = request.user
    extensions = list(obligation.extension_requests.select_related("requested_by",
                                                                   "decided_by"))
    pending = next((e for e in extensions if e.state == "pending"), None)
    may_request = (user.is_provider_officer and obligation.is_outstanding
                   and obligation.usps_visible and pending is None)
    may_decide = user.is_usps and pending is not None
    if may_decide and decision_form is None:
        decision_form = DecisionForm(user=user, asked=pending.requested_due_at,
                                     grantable_after=max(timezone.now(), obligation.due_at))
    context = {
        "obligation": obligation,
        "extensions": extensions,
        "pending": pending,
        "history": _history(user, obligation),
        "request_form": request_form or (ExtensionRequestForm(user=user) if may_request
                                         else None),
        "may_decide": may_decide,
        # Met, waived or closed meanwhile: no due time is left to move, only the request
        # to close.
        "may_grant": may_decide and obligation.is_outstanding,
        "decision_form": decision_form,
    }
    return render(request, "extensions/obligation_detail.html", context, status=status)


def _load(request, pk):
    return get_object_or_404(Obligation.objects.visible_to(request.user)
                             .select_related("provider"), pk=pk)


@login_required
def obligation_detail(request, pk):
    obligation = _load(request, pk)
    if request.method != "POST":
        return _render(request, obligation)
    user = request.user
    if "decision" in request.POST:
        return _decide(request, obligation)
    if not (user.is_provider_officer and user.provider_id == obligation.provider_id):
        raise PermissionDenied
    form = ExtensionRequestForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.request_extension(actor=user, obligation=obligation, **form.cleaned_data)
            messages.success(request, "Extension requested. USPS has been told.")
            return redirect("obligation-detail", pk=obligation.pk)
        except REFUSALS as exc:
            return _render(request, obligation, request_form=form,
                           status=refuse_on_form(form, exc))
    return _render(request, obligation, request_form=form, status=400)


def _decide(request, obligation):
    if not request.user.is_usps:
        raise PermissionDenied
    extension = get_object_or_404(ExtensionRequest.objects.filter(obligation=obligation),
                                  pk=id_from(request.POST.get("extension")))
    form = DecisionForm(request.POST, user=request.user, asked=extension.requested_due_at,
                        grantable_after=max(timezone.now(), obligation.due_at))
    if not form.is_valid():
        return _render(request, obligation, decision_form=form, status=400)
    data = form.cleaned_data
    try:
        if data["decision"] == "grant":
            services.grant_extension(actor=request.user, extension=extension,
                                     comment=data["comment"], due_at=data["due_at"])
        else:
            services.deny_extension(actor=request.user, extension=extension,
                                    comment=data["comment"])
    except Conflict as exc:
        # Decided meanwhile (twice sent, or by another reviewer): the page no longer shows
        # a decision form to say it on.
        messages.error(request, exc.message)
        return redirect("obligation-detail", pk=obligation.pk)
    except REFUSALS as exc:
        return _render(request, obligation, decision_form=form,
                       status=refuse_on_form(form, exc))
    verb = "granted" if data["decision"] == "grant" else "denied"
    messages.success(request, f"Extension {verb}. The provider's officers have been told.")
    return redirect("obligation-detail", pk=obligation.pk)
