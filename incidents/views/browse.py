"""Reading pages: the list, an incident, its versions, downloads."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from compliance.exports import csv_response
from compliance.exports.columns import event_columns
from compliance.exports.pages import list_export, list_query
from compliance.models import Obligation, ObligationKind, Provider
from incidents.downloads import attachment_response
from incidents.exports import incident_columns
from incidents.filters import IncidentFilter
from incidents.forms import AttachmentForm
from incidents.models import Attachment, Incident
from incidents.services.access import may_change

from .common import load_incident, timeline
from .review_parts import report_owed, review_context

PAGE_SIZE = 25


@login_required
def incident_list(request):
    user = request.user
    filterset = IncidentFilter(
        request.GET,
        queryset=Incident.objects.visible_to(user).select_related("provider"),
    )
    export = list_export(request, filterset, incident_columns, "incidents")
    if export is not None:
        return export
    valid = filterset.is_valid()
    incidents = filterset.qs if valid else Incident.objects.none()
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/incident_list.html", {
        "page": page,
        "filterset": filterset,
        "query": list_query(request),
        "providers": Provider.objects.visible_to(user) if user.is_usps else None,
        "can_report": user.is_provider_officer,
    }, status=200 if valid else 400)


def detail_context(request, incident, attachment_form=None, triage_form=None,
                   comment_form=None, close_form=None):
    user = request.user
    versions = list(incident.versions.select_related("submitted_by").order_by("number"))
    # The case's duties and USPS targets the user may see, read once for the page's lists
    # of them (its obligations, what waits on USPS, the reports' duties).
    owed = list(Obligation.objects.visible_to(user).filter(incident_id=incident.pk)
                .order_by("due_at", "id")) if not incident.is_draft else []
    return {
        "incident": incident,
        "receipt": versions[-1] if versions else None,
        "first_version": versions[0] if versions else None,
        "attachments": incident.attachments.select_related("uploaded_by").order_by(
            "uploaded_at", "id"),
        "obligations": [o for o in owed if not o.is_usps_target],
        "history": timeline(user, incident),
        # USPS's own targets on the case, for USPS staff only (the door hides them anyway).
        "usps_waiting": [o for o in owed if o.is_usps_target and o.is_outstanding]
        if user.is_usps else [],
        "now": timezone.now(),
        "can_change": may_change(user, incident),
        "attachment_form": attachment_form or AttachmentForm(),
        **review_context(request, incident, triage_form=triage_form, close_form=close_form,
                         comment_form=comment_form, report_owed=report_owed(incident, owed),
                         duties=owed),
        # A report waiting on USPS's review is decided before the case can be closed.
        "review_waiting": next((o for o in owed if o.kind == ObligationKind.USPS_REPORT_REVIEW
                                and o.is_outstanding), None),
    }


@login_required
def incident_detail(request, pk):
    incident = load_incident(request, pk)
    return render(request, "incidents/incident_detail.html", detail_context(request, incident))


@login_required
def incident_timeline_csv(request, pk):
    """The case's timeline as the user sees it on the case page, as CSV."""
    incident = load_incident(request, pk)
    name = f"timeline-{incident.reference or f'draft-{incident.pk}'}"
    return csv_response(timeline(request.user, incident), event_columns(request.user),
                        name=name, user=request.user, for_spreadsheet=True)


@login_required
def incident_versions(request, pk):
    incident = load_incident(request, pk)
    versions = incident.versions.select_related("submitted_by").order_by("number")
    return render(request, "incidents/incident_versions.html",
                  {"incident": incident, "versions": versions})


@login_required
def attachment_download(request, pk, attachment_pk):
    incident = load_incident(request, pk)
    attachment = get_object_or_404(Attachment.objects.filter(incident=incident),
                                   pk=attachment_pk)
    return attachment_response(attachment)
