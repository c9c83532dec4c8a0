"""The obligation page: the duty, its due-time history and the whole extension exchange."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from compliance.errors import REFUSALS
from compliance.forms import refuse_on_form
from compliance.models import AuditEvent, ExtensionRequest, Obligation

from . import services
from .forms import DecisionForm, ExtensionRequestForm


def _history(user, obligation):
    return (AuditEvent.objects.visible_to(user).for_object(obligation)
            .select_related("actor").order_by("at", "id"))


def _render(request, obligation, request_form=None, decision_error=None, status=200):
    user = request.user
    extensions = list(obligation.extension_requests.select_related("requested_by",
                                                                   "decided_by"))
    pending = next((e for e in extensions if e.state == "pending"), None)
    may_request = (user.is_provider_officer and obligation.is_outstanding
                   and obligation.usps_visible and pending is None)
    context = {
        "obligation": obligation,
        "extensions": extensions,
        "pending": pending,
        "history": _history(user, obligation),
        "request_form": request_form or (ExtensionRequestForm(user=user) if may_request
                                         else None),
        "may_decide": user.is_usps and pending is not None,
        "decision_error": decision_error,
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
                                  pk=request.POST.get("extension"))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render(request, obligation, decision_error="Choose grant or deny.", status=400)
    verb = form.cleaned_data["decision"]
    service = services.grant_extension if verb == "grant" else services.deny_extension
    try:
        service(actor=request.user, extension=extension, comment=form.cleaned_data["comment"])
    except REFUSALS as exc:
        status = refuse_on_form(form, exc)
        return _render(request, obligation, decision_error=" ".join(
            message for errors in form.errors.values() for message in errors),
                       status=status)
    messages.success(request, f"Extension {'granted' if verb == 'grant' else 'denied'}. "
                              "The provider's officers have been told.")
    return redirect("obligation-detail", pk=obligation.pk)
