"""Pages of internal reporting procedures: the versions, the upload, the USPS review and
the permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render

from compliance.errors import REFUSALS
from compliance.forms import refuse_on_form
from compliance.models import (
    AuditEvent,
    Obligation,
    ObligationKind,
    ProcedureDocument,
    Provider,
)

from . import services
from .forms import ProcedureReviewForm, ProcedureUploadForm


def _provider_for(request):
    """Provider staff see their own; USPS picks one with ?provider= (or sees all)."""
    user = request.user
    if user.is_provider_staff:
        return user.provider
    raw = request.GET.get("provider", "")
    if raw.isdigit():
        return get_object_or_404(Provider.objects.visible_to(user), pk=int(raw))
    return None


@login_required
def procedures_list(request):
    user = request.user
    provider = _provider_for(request)
    documents = (ProcedureDocument.objects.visible_to(user)
                 .select_related("provider", "uploaded_by", "reviewed_by"))
    if provider is not None:
        documents = documents.filter(provider=provider)
    form = None
    status = 200
    if user.is_provider_officer:
        form = ProcedureUploadForm()
        if request.method == "POST":
            form = ProcedureUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    document = services.upload_procedures(actor=user, provider=provider,
                                                          uploaded_file=form.cleaned_data["file"],
                                                          effective_date=form.cleaned_data["effective_date"],
                                                          summary_of_changes=form.cleaned_data["summary_of_changes"])
                    messages.success(request, f"Version {document.version} filed for USPS review.")
                    return redirect("procedures-list")
                except REFUSALS as exc:
                    status = refuse_on_form(form, exc)
            else:
                status = 400
    elif request.method == "POST":
        raise PermissionDenied
    duty = None
    if provider is not None:
        duty = (Obligation.objects.visible_to(user).outstanding()
                .filter(provider=provider, kind=ObligationKind.PROCEDURES).first())
    documents = list(documents.order_by("provider__name", "provider_id", "-version")[:200])
    has_accepted = any(d.review_state == "accepted" for d in documents)
    with_usps = next((d for d in documents if d.review_state == "pending"), None)
    return render(request, "procedures/procedures_list.html", {
        "provider": provider, "documents": documents, "form": form, "duty": duty,
        "has_accepted": has_accepted, "with_usps": with_usps}, status=status)


def _load(request, pk):
    return get_object_or_404(ProcedureDocument.objects.visible_to(request.user)
                             .select_related("provider", "uploaded_by", "reviewed_by"), pk=pk)


@login_required
def procedures_review(request, pk):
    document = _load(request, pk)
    user = request.user
    form = ProcedureReviewForm() if user.is_usps and document.review_state == "pending" else None
    status = 200
    if request.method == "POST":
        if not user.is_usps:
            raise PermissionDenied
        form = ProcedureReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "accept":
                    services.accept_procedures(actor=user, document=document,
                                               comment=data["comment"])
                    messages.success(request, f"Version {document.version} accepted.")
                else:
                    services.request_procedure_changes(actor=user, document=document,
                                                       comment=data["comment"])
                    messages.success(request, "Changes requested. The provider has been told.")
                return redirect("procedures-review", pk=document.pk)
            except REFUSALS as exc:
                status = refuse_on_form(form, exc)
        else:
            status = 400
    history = (AuditEvent.objects.visible_to(user).for_object(document)
               .select_related("actor").order_by("at", "id"))
    return render(request, "procedures/procedures_review.html",
                  {"document": document, "form": form, "history": history}, status=status)


@login_required
def procedures_download(request, pk):
    document = _load(request, pk)
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
