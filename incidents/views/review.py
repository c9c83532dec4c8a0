"""USPS review pages (the queue, triage, assignment) and the comment thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from compliance.errors import REFUSALS, Conflict
from compliance.exports.pages import list_export, list_query
from compliance.forms import refuse_on_form
from compliance.models import Provider
from incidents import services
from incidents.exports import queue_columns
from incidents.models import Category, IncidentStatus, RevenueRisk
from incidents.queue import QueueFilter, queue_queryset, reviewers, state_counts
from incidents.review_forms import AssignForm, CommentForm, TriageForm

from .browse import detail_context
from .common import load_incident

PAGE_SIZE = 25


def _require_usps(request):
    if not request.user.is_usps:
        raise PermissionDenied


@login_required
def review_queue(request):
    """Filed incidents for USPS: untriaged first, then by the nearest duty owed."""
    _require_usps(request)
    user = request.user
    base = queue_queryset(user)
    filterset = QueueFilter(request.GET, queryset=base, request=request)
    export = list_export(request, filterset, queue_columns, "queue")
    if export is not None:
        return export
    valid = filterset.is_valid()
    incidents = filterset.qs if valid else base.none()
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    people = reviewers()
    return render(request, "incidents/queue.html", {
        "page": page,
        "filterset": filterset,
        "query": list_query(request),
        "counts": state_counts(base),
        "statuses": IncidentStatus.choices[1:],
        "providers": Provider.objects.visible_to(user).order_by("name"),
        "categories": Category.choices,
        "risks": RevenueRisk.choices,
        "reviewers": people,
        "current": {key: request.GET.get(key, "") for key in (
            "provider", "category", "revenue_risk", "reviewer", "status", "q", "overdue")},
    }, status=200 if valid else 400)


def _back(request, incident):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("incident-detail", pk=incident.pk)


def _detail(request, incident, status=400, **forms):
    return render(request, "incidents/incident_detail.html",
                  detail_context(request, incident, **forms), status=status)


@login_required
@require_POST
def triage(request, pk):
    incident = load_incident(request, pk)
    _require_usps(request)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.triage_incident(actor=request.user, incident=incident,
                                     **form.service_values())
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("incident-detail", pk=incident.pk)
        except REFUSALS as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, "Triage recorded; the provider's officers are told the "
                                      "deadline.")
            return redirect("incident-detail", pk=incident.pk)
    incident = load_incident(request, pk)
    return _detail(request, incident, triage_form=form)


@login_required
@require_POST
def assign(request, pk):
    incident = load_incident(request, pk)
    _require_usps(request)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an active USPS reviewer.")
        return _back(request, incident)
    reviewer = form.cleaned_data["reviewer"]
    try:
        services.assign_reviewer(actor=request.user, incident=incident, reviewer=reviewer)
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"{incident.reference} assigned to "
                                  f"{reviewer or 'nobody'}.")
    return _back(request, incident)


@login_required
@require_POST
def comment(request, pk):
    incident = load_incident(request, pk)
    if not services.may_comment(request.user, incident):
        raise PermissionDenied
    form = CommentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.add_comment(actor=request.user, incident=incident,
                                 **form.service_values())
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("incident-detail", pk=incident.pk)
        except REFUSALS as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, "Comment added.")
            return redirect(reverse("incident-detail", args=[incident.pk]) + "#comments")
    return _detail(request, incident, comment_form=form)
