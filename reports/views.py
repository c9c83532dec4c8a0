"""Report pages, through the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from compliance.errors import REFUSALS, Conflict, TooLarge
from compliance.forms import refuse_on_form
from compliance.models import AuditEvent
from compliance.sent_once import ALREADY_SENT, first_sending, sent_before
from incidents.models import IncidentStatus
from incidents.views.common import load_incident
from reports import services
from reports.forms import AcceptForm, ReportForm, ReturnForm
from reports.models import Report, ReportKind, ReportState
from reports.services.access import may_file, may_review
from reports.services.filing import (
    CORRECTION_WAIVED,
    SINGLE_KINDS,
    correctable,
    report_to_continue,
)


def load_report(request, pk):
    """The report if the user may see it (USPS never a draft), else 404."""
    return get_object_or_404(
        Report.objects.visible_to(request.user).select_related(
            "incident", "incident__provider", "created_by"), pk=pk)


def _history(user, report):
    return (AuditEvent.objects.visible_to(user).for_object(report)
            .select_related("actor").order_by("at", "id"))


def _detail(request, report, accept_form=None, return_form=None, status=200):
    user = request.user
    return render(request, "reports/report_detail.html", {
        "report": report,
        "incident": report.incident,
        "versions": report.versions.select_related("submitted_by", "obligation").order_by(
            "-number"),
        "reviews": report.reviews.select_related(
            "reviewer", "version", "resubmission_obligation").order_by(
            "decided_at", "id"),
        "history": _history(user, report),
        "can_edit": may_file(user, report.incident) and _open_to_filing(report),
        "can_review": may_review(user) and report.state == ReportState.SUBMITTED,
        "can_return": services.returnable(report.incident),
        "accept_form": accept_form or AcceptForm(initial={"version": report.current_version}),
        "return_form": return_form or ReturnForm(zone_name=report.incident.provider.timezone,
                                                 initial={"version": report.current_version}),
    }, status=status)


@login_required
def report_detail(request, pk):
    return _detail(request, load_report(request, pk))


def _values(form):
    return {name: form.cleaned_data[name] for name in form.fields}


def _file_or_save(request, form, save):
    """Run the service for the button pressed; messages on success, errors on the form."""
    try:
        report, version = save(drafting="save_draft" in request.POST)
    except (ValidationError, TooLarge) as exc:
        refuse_on_form(form, exc)
        return None
    if version is None:
        messages.success(request, "Draft saved. File it when it is complete.")
    else:
        messages.success(request, f"Filed {report.reference} version {version.number}. "
                                  "Keep the receipt below.")
    return redirect("report-detail", pk=report.pk)


@login_required
def report_create(request, incident_pk, kind):
    incident = load_incident(request, incident_pk)
    if kind not in ReportKind.values:
        raise Http404
    if not may_file(request.user, incident):
        raise PermissionDenied
    if request.method != "POST":
        open_report = report_to_continue(incident, kind)
        if open_report is not None:
            return redirect("report-edit", pk=open_report.pk)
        filed = (Report.objects.filter(incident=incident, kind=kind, state__in=(
            ReportState.SUBMITTED, ReportState.ACCEPTED)).first() if kind in SINGLE_KINDS
            else None)
        if filed is not None:  # a case has one: this one is filed
            messages.info(request, f"{filed.reference} is filed "
                                   f"({filed.get_state_display().lower()}).")
            return redirect("report-detail", pk=filed.pk)
    # Sent while a draft of the kind was opened meanwhile (another tab, a colleague): the
    # filing fills it in, as through the API; nothing typed is dropped. A report USPS
    # returned meanwhile is corrected on its page, by someone who read why (409).
    form = ReportForm(request.POST or None, kind=kind, zone_name=incident.provider.timezone,
                      once=True)
    if request.method == "POST" and form.is_valid():
        def save(drafting):
            return services.file_report(actor=request.user, incident=incident, kind=kind,
                                        draft=drafting, new_only=True, **_values(form))
        try:
            response = _file_or_save(request, form, save)
        except Conflict as exc:
            # Filed by a colleague, or the case closed, while this page was open: what was
            # typed comes back beside the refusal.
            form.add_error(None, f"{exc.message} What you typed is below, not filed.")
            return render(request, "reports/report_form.html", {
                "form": form, "incident": incident, "kind_label": ReportKind(kind).label,
                "report": None, "may_draft": True, "refused": True}, status=409)
        if response is not None:
            return response
    return render(request, "reports/report_form.html", {
        "form": form, "incident": incident, "kind_label": ReportKind(kind).label,
        "report": None, "may_draft": True,
    }, status=400 if request.method == "POST" else 200)


def _open_to_filing(report):
    """A draft, or a returned report whose correction is owed, on a case still open: what
    an officer may file."""
    return (report.state in (ReportState.DRAFT, ReportState.RETURNED)
            and report.incident.status != IncidentStatus.CLOSED and correctable(report))


class SentBefore(Exception):
    """The page's filing was sent and filed before."""


@login_required
def report_edit(request, pk):
    report = load_report(request, pk)
    if not may_file(request.user, report.incident):
        raise PermissionDenied
    filed = report.state not in (ReportState.DRAFT, ReportState.RETURNED)
    refusal = (f"{report.reference} has been filed: filings are append-only." if filed else
               "The case is closed: no more reports are filed on it."
               if report.incident.status == IncidentStatus.CLOSED else
               CORRECTION_WAIVED.format(reference=report.reference)
               if not correctable(report) else None)
    if refusal and request.method != "POST":
        messages.error(request, refusal)
        return redirect("report-detail", pk=report.pk)
    initial = {name: getattr(report, name) for name in report.content_fields}
    form = ReportForm(request.POST or None, kind=report.kind, initial=initial,
                      zone_name=report.incident.provider.timezone, once=True,
                      based_on=services.report_digest(report))
    key = request.POST.get("submission_key", "")
    valid = request.method == "POST" and form.is_valid()
    values = {name: value for name, value in _values(form).items()
              if name not in ("submission_key", "based_on")} if valid else {}
    based_on = (form.cleaned_data.get("based_on") or None) if valid else None
    if refusal and "file" in request.POST and valid and sent_before(
            request.user, key, report.pk, values):
        # This page's filing, sent again (a double click, a retry): it is on record.
        messages.info(request, ALREADY_SENT)
        return redirect("report-detail", pk=report.pk)
    if refusal:
        # Filed (or the case closed) while this page was open: what was typed comes back
        # beside the refusal, nothing of it filed.
        form.is_valid()
        form.add_error(None, f"{refusal} It was filed or closed while this page was "
                             "open: what you typed is below, not filed. Open the report "
                             "to read what was filed.")
        return _edit_page(request, report, form, status=409, refused=True)
    if valid:
        def save(drafting):
            if drafting and report.is_draft:
                return services.update_report_draft(actor=request.user, report=report,
                                                    based_on=based_on, **values), None
            with transaction.atomic():
                if not first_sending(request.user, key, report.pk, values):
                    raise SentBefore
                version = services.submit_report(actor=request.user, report=report,
                                                 based_on=based_on, **values)
            return version.report, version
        try:
            response = _file_or_save(request, form, save)
        except SentBefore:  # the same filing sent twice at once: the other one filed it
            messages.info(request, ALREADY_SENT)
            return redirect("report-detail", pk=report.pk)
        except Conflict as exc:
            form.add_error(None, f"{exc.message} What you typed is below, not filed.")
            return _edit_page(request, report, form, status=409)
        if response is not None:
            return response
    return _edit_page(request, report, form, status=400 if request.method == "POST" else 200)


def _edit_page(request, report, form, status, refused=False):
    return render(request, "reports/report_form.html", {
        "form": form, "incident": report.incident, "kind_label": report.get_kind_display(),
        "report": report, "may_draft": report.is_draft, "refused": refused,
    }, status=status)


def _review(request, pk, form_class, decide, form_key, done):
    report = load_report(request, pk)
    if not may_review(request.user):
        raise PermissionDenied
    if request.method != "POST":  # a reload after an error: back to the page, at the form
        return redirect(reverse("report-detail", args=[report.pk]) + "#decide")
    kwargs = ({"zone_name": report.incident.provider.timezone} if form_class is ReturnForm
              else {})
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            decide(report, form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("report-detail", pk=report.pk)
        except REFUSALS as exc:
            refuse_on_form(form, exc)
        else:
            messages.success(request, done.format(reference=report.reference))
            return redirect("report-detail", pk=report.pk)
    return _detail(request, report, status=400, **{form_key: form})


@login_required
def report_accept(request, pk):
    return _review(request, pk, AcceptForm, lambda report, data: services.accept_report(
        actor=request.user, report=report, comment=data["comment"],
        expect_version=data["version"]),
        "accept_form", "Accepted {reference}. The provider's officers are e-mailed.")


@login_required
def report_return(request, pk):
    return _review(request, pk, ReturnForm, lambda report, data: services.return_report(
        actor=request.user, report=report, comment=data["comment"],
        resubmission_due_at=data["resubmission_due_at"], expect_version=data["version"]),
        "return_form", "Returned {reference} for correction. The provider's officers are "
                       "e-mailed.")
