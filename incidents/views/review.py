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
from incidents.review_forms import (
    AssignForm,
    BulkAssignForm,
    CloseCaseForm,
    CommentForm,
    TriageForm,
)
from reports.services import close_case

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


def _usps_form_post(request, pk, anchor):
    """The case a USPS form posts to (404 out of reach, then 403 for provider staff), and
    the page at the form for any method but POST (else None)."""
    incident = load_incident(request, pk)
    _require_usps(request)
    return incident, None if request.method == "POST" else _form_page(request, incident,
                                                                       anchor)


def _form_page(request, incident, anchor):
    """A form's address reached by GET (a reload after an error, a bookmark): the page
    the form is on, at the form."""
    return redirect(reverse("incident-detail", args=[incident.pk]) + f"#{anchor}")


def _acted(request, incident, form, act, anchor="", keep_typed=False):
    """`act()` for a case-page form that is valid: back to the case (at `anchor`) with the
    message it returns (level, text), or with a Conflict's (the page was stale); None when
    the service refused what the form says, its errors now on the form to show again
    (`form.refused_with`, the status to answer). `keep_typed`: a Conflict too comes back on
    the form, what was typed kept."""
    try:
        level, text = act()
    except Conflict as exc:
        if not keep_typed:
            messages.error(request, exc.message)
            return redirect("incident-detail", pk=incident.pk)
        form.refused_with = refuse_on_form(form, exc)
        return None
    except REFUSALS as exc:
        form.refused_with = refuse_on_form(form, exc)
        return None
    messages.add_message(request, level, text)
    return redirect(reverse("incident-detail", args=[incident.pk]) + anchor)


@login_required
def triage(request, pk):
    incident, elsewhere = _usps_form_post(request, pk, "triage")
    if elsewhere:
        return elsewhere
    # As the page offered it: a due time only while the written report's can move (or
    # when one was typed, which the service then answers).
    form = TriageForm(request.POST, interval=incident.status_report_interval_days,
                      report_owed=report_owed(incident)
                      or bool(request.POST.get("written_report_due_at")))
    def triage_it():
        triaged = services.triage_incident(actor=request.user, incident=incident,
                                           **form.service_values())
        if triaged.changed:
            return messages.SUCCESS, ("Triage recorded; the provider's officers are told the "
                                      "deadline.")
        if triaged.assigned is not None:
            return messages.SUCCESS, f"Assigned to {triaged.assigned}; the triage is unchanged."
        return messages.INFO, "Nothing changed: the triage is as the page shows it."

    done = form.is_valid() and _acted(request, incident, form, triage_it)
    return done or _detail(request, load_incident(request, pk), triage_form=form)


@login_required
def assign(request, pk):
    incident, elsewhere = _usps_form_post(request, pk, "review")
    if elsewhere:
        return elsewhere
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
def close(request, pk):
    """USPS closes a filed case without an accepted final summary, with a reason."""
    incident, elsewhere = _usps_form_post(request, pk, "close")
    if elsewhere:
        return elsewhere
    form = CloseCaseForm(request.POST)

    def close_it():
        if close_case(actor=request.user, incident=incident,
                      reason=form.cleaned_data["reason"]):
            return messages.SUCCESS, (f"{incident.reference} is closed; the provider's "
                                      "officers are told why.")
        return messages.INFO, f"{incident.reference} was already closed: nothing changed."

    # Refused (a report came in meanwhile), the reason typed comes back with the refusal.
    done = form.is_valid() and _acted(request, incident, form, close_it, keep_typed=True)
    return done or _detail(request, load_incident(request, pk), close_form=form,
                           status=getattr(form, "refused_with", 400))


@login_required
def comment(request, pk):
    incident = load_incident(request, pk)
    if not services.may_comment(request.user, incident):
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, incident, "comment-form")
    form = CommentForm(request.POST, user=request.user)

    def add_it():
        services.add_comment(actor=request.user, incident=incident, **form.service_values())
        return messages.SUCCESS, "Comment added."

    done = form.is_valid() and _acted(request, incident, form, add_it, anchor="#comments")
    return done or _detail(request, incident, comment_form=form)
