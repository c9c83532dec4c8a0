"""Pages of internal reporting procedures: the versions, the upload, the USPS review and
the permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode

from compliance import services
from compliance.api.fields import id_from
from compliance.errors import REFUSALS
from compliance.forms import refuse_on_form
from compliance.models import (
    AuditEvent,
    Obligation,
    ObligationKind,
    ProcedureDocument,
    ProcedureReview,
    Provider,
)
from compliance.sent_once import ALREADY_SENT, first_sending
from compliance.uploads import file_sha256

from .downloads import procedures_response
from .forms import ProcedureReviewForm, ProcedureUploadForm

PAGE_SIZE = 50


# A ?provider= that is no provider's id: refused, never read as "every provider".
BAD_PROVIDER = "The provider filter names no provider: choose one from the list of providers."


def _provider_for(request):
    """Provider staff see their own; USPS picks one with ?provider= (or sees all). A value
    that is no id raises BadProviderFilter."""
    user = request.user
    if user.is_provider_staff:
        return user.provider
    value = request.GET.get("provider", "").strip()
    if not value:
        return None
    provider_id = id_from(value)
    if provider_id is None:
        raise BadProviderFilter
    return get_object_or_404(Provider.objects.visible_to(user), pk=provider_id)


class BadProviderFilter(Exception):
    pass


def _standing(documents):
    """Whether an accepted copy is on file, and the latest version with USPS (or None),
    of the provider's whole list: one query while a version is with USPS, two otherwise."""
    accepted = documents.filter(review_state=ProcedureReview.ACCEPTED)
    with_usps = (documents.pending().order_by("-version")
                 .annotate(accepted_on_file=Exists(accepted)).first())
    if with_usps is not None:
        return with_usps.accepted_on_file, with_usps
    return accepted.exists(), None


@login_required
def procedures_list(request):
    user = request.user
    documents = (ProcedureDocument.objects.visible_to(user).with_superseded_by()
                 .select_related("provider", "uploaded_by", "reviewed_by"))
    try:
        provider = _provider_for(request)
    except BadProviderFilter:
        return render(request, "procedures/procedures_list.html", {
            "provider": None, "page": Paginator(documents.none(), PAGE_SIZE).get_page(1),
            "filter_error": BAD_PROVIDER}, status=400)
    if provider is not None:
        documents = documents.filter(provider=provider)
    form = None
    status = 200
    if user.is_provider_officer:
        form = ProcedureUploadForm()
        if request.method == "POST":
            form = ProcedureUploadForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        # Keyed on the file's content: another file of the same name and
                        # size, sent from the same page, is filed too.
                        if not first_sending(user, data["submission_key"], data["file"].name,
                                             file_sha256(data["file"]), data["effective_date"],
                                             data["summary_of_changes"]):
                            messages.info(request, ALREADY_SENT)
                            return redirect("procedures-list")
                        document = services.upload_procedures(
                            actor=user, provider=provider, uploaded_file=data["file"],
                            effective_date=data["effective_date"],
                            summary_of_changes=data["summary_of_changes"])
                    messages.success(request, f"Version {document.version} filed for USPS review.")
                    return redirect("procedures-list")
                except REFUSALS as exc:
                    status = refuse_on_form(form, exc)
            else:
                status = 400
    elif request.method == "POST":
        raise PermissionDenied
    duty = has_accepted = with_usps = None
    if provider is not None:
        duty = (Obligation.objects.visible_to(user).outstanding()
                .filter(provider=provider, kind=ObligationKind.PROCEDURES).first())
        # Read from the provider's whole list, not from the page shown.
        has_accepted, with_usps = _standing(documents)
    page = Paginator(documents.order_by("provider__name", "provider_id", "-version"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"provider": provider.pk}) if provider and user.is_usps else ""
    return render(request, "procedures/procedures_list.html", {
        "provider": provider, "page": page, "query": query, "form": form, "duty": duty,
        "has_accepted": has_accepted, "with_usps": with_usps}, status=status)


def _load(request, pk):
    return get_object_or_404(ProcedureDocument.objects.visible_to(request.user)
                             .with_superseded_by()
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
    return procedures_response(_load(request, pk))
