"""USPS review pages (the queue, triage, assignment) and the comment thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from compliance.errors import REFUSALS, Conflict
from compliance.exports.pages import list_export
from compliance.forms import refuse_on_form
from compliance.models import Provider
from incidents import services
from incidents.exports import queue_columns
from incidents.models import Category, IncidentStatus, RevenueRisk
from incidents.queue import (
    SORTS,
    QueueFilter,
    QueuePaginator,
    departed_holders,
    queue_queryset,
    reviewers,
    sort_queue,
    state_counts,
)
from incidents.review_forms import AssignForm, BulkAssignForm, CommentForm, TriageForm

from .browse import detail_context
from .common import load_incident
from .review_parts import report_owed

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
    valid = filterset.is_valid()
    incidents = filterset.qs if valid else base.none()
    incidents, sort = sort_queue(incidents, request.GET.get("sort", ""))
    export = list_export(request, filterset, queue_columns, "queue", rows=incidents)
    if export is not None:
        return export
    page = QueuePaginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    unsorted = params.copy()
    unsorted.pop("sort", None)
    people = reviewers()
    return render(request, "incidents/queue.html", {
        "page": page,
        "filterset": filterset,
        "query": params.urlencode(),
        "unsorted_query": unsorted.urlencode(),
        "sort": sort,
        "columns": _sort_links(sort),
        "now": timezone.now(),
        "counts": state_counts(user),
        "statuses": IncidentStatus.choices[1:],
        "providers": Provider.objects.visible_to(user).order_by("name"),
        "categories": Category.choices,
        "risks": RevenueRisk.choices,
        "reviewers": people,
        "departed": departed_holders(),
        "current": {key: request.GET.get(key, "") for key in (
            "provider", "category", "revenue_risk", "reviewer", "status", "q", "overdue")},
    }, status=200 if valid else 400)


def _sort_links(sort):
    """For each sortable column: (key, label, the sort its header link asks for, aria-sort).
    A click sorts by the column; a second click reverses it."""
    columns = {}
    for key, (_, label) in SORTS.items():
        state = ("ascending" if sort == key else "descending" if sort == f"-{key}" else "none")
        columns[key] = {"label": label, "next": f"-{key}" if sort == key else key,
                        "aria": state}
    return columns


def _safe_next(request):
    """The page to go back to: a path on this site (`/…`), or None. Anything else (another
    host, a bare word `redirect` would take for a URL's name) is not followed."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def _back(request, incident):
    return redirect(_safe_next(request) or reverse("incident-detail", args=[incident.pk]))


@login_required
def bulk_assign(request):
    """Assign the queue rows ticked to one reviewer. Reached by GET (a reload), it goes
    back to the queue."""
    _require_usps(request)
    if request.method != "POST":
        return redirect("incident-queue")
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_safe_next(request) or reverse("incident-queue"))
    reviewer = form.cleaned_data["reviewer"]
    try:
        changed = services.assign_reviewers(actor=request.user,
                                            incidents=form.cleaned_data["incidents"],
                                            reviewer=reviewer)
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        count = len(form.cleaned_data["incidents"])
        messages.success(request, f"{count} case{'s' if count != 1 else ''} assigned to "
                                  f"{reviewer or 'nobody'} ({changed} changed).")
    return redirect(_safe_next(request) or reverse("incident-queue"))


def _detail(request, incident, status=400, **forms):
    return render(request, "incidents/incident_detail.html",
                  detail_context(request, incident, **forms), status=status)


def _form_page(request, incident, anchor):
    """A form's address reached by GET (a reload after an error, a bookmark): the page
    the form is on, at the form."""
    return redirect(reverse("incident-detail", args=[incident.pk]) + f"#{anchor}")


@login_required
def triage(request, pk):
    incident = load_incident(request, pk)
    _require_usps(request)
    if request.method != "POST":
        return _form_page(request, incident, "triage")
    # As the page offered it: a due time only while the written report's can move (or
    # when one was typed, which the service then answers).
    form = TriageForm(request.POST, interval=incident.status_report_interval_days,
                      report_owed=report_owed(incident)
                      or bool(request.POST.get("written_report_due_at")))
    if form.is_valid():
        try:
            triaged = services.triage_incident(actor=request.user, incident=incident,
                                               **form.service_values())
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("incident-detail", pk=incident.pk)
        except REFUSALS as exc:
            refuse_on_form(form, exc)
        else:
            if triaged.changed:
                messages.success(request, "Triage recorded; the provider's officers are told "
                                          "the deadline.")
            elif triaged.assigned is not None:
                messages.success(request, f"Assigned to {triaged.assigned}; the triage is "
                                          "unchanged.")
            else:
                messages.info(request, "Nothing changed: the triage is as the page shows it.")
            return redirect("incident-detail", pk=incident.pk)
    incident = load_incident(request, pk)
    return _detail(request, incident, triage_form=form)


@login_required
def assign(request, pk):
    incident = load_incident(request, pk)
    _require_usps(request)
    if request.method != "POST":
        return _form_page(request, incident, "review")
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
def comment(request, pk):
    incident = load_incident(request, pk)
    if not services.may_comment(request.user, incident):
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, incident, "comment-form")
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
