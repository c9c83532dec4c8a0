"""Pages that change incidents, through the same services as the API."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from compliance.deadlines import is_late
from compliance.errors import REFUSALS, Conflict
from compliance.forms import refuse_on_form
from compliance.sent_once import ALREADY_SENT, answered, first_sending, sent_before
from compliance.uploads import file_sha256
from incidents import services
from incidents.forms import (
    AmendmentForm,
    AttachmentForm,
    DraftForm,
    NewIncidentForm,
    RiskStatementFormSet,
    SubmitForm,
    fold_choice_of,
    risk_statements_of,
)
from incidents.models import Category, IncidentStatus
from incidents.services.access import may_change
from incidents.services.drafts import draft_digest
from incidents.services.filing import CLOSED_CASE

from .browse import detail_context
from .common import load_incident


def _initial(incident, with_discovery=True):
    initial = {
        "category": incident.category, "subtype": incident.subtype, "title": incident.title,
        "description": incident.description,
        "discovered_by_affiliate": incident.discovered_by_affiliate_id,
        "discovered_by_name": incident.discovered_by_name,
        "pes_models": [m.pk for m in incident.pes_models.all()],
    }
    if with_discovery:
        zone = zoneinfo.ZoneInfo(incident.discovery_timezone)
        initial["discovery_timezone"] = incident.discovery_timezone
        local = incident.discovered_at.astimezone(zone)
        initial["discovered_at"] = local.replace(tzinfo=None)
        initial["discovered_at_fold"] = fold_choice_of(local)
    return initial


def _risk_initial(incident):
    return [{"pes_model": r.pes_model_id, "nature_of_risk": r.nature_of_risk,
             "effect_on_pes": r.effect_on_pes} for r in incident.risk_statements.all()]


def _edit(request, *, incident, form_class, template, save, initial=None, risk_initial=None):
    """Show and handle an incident form with its risk-statement rows."""
    provider = incident.provider if incident else request.user.provider
    risk_errors = []
    status = 400 if request.method == "POST" else 200
    discovered = ((incident.discovered_at, incident.discovery_timezone)
                  if incident is not None else None)
    if request.method == "POST":
        form = form_class(request.POST, provider=provider, discovered=discovered)
        formset = RiskStatementFormSet(request.POST, prefix="risk",
                                       form_kwargs={"provider": provider})
        cyber = request.POST.get("category") == Category.CYBER_ATTACK
        rows_ok = formset.is_valid() if cyber else True
        if form.is_valid() and rows_ok:
            values = form.service_values()
            values["risk_statements"] = risk_statements_of(formset) if cyber else []
            try:
                return save(form, values)
            except REFUSALS as exc:
                status = refuse_on_form(form, exc, {"risk_statements": risk_errors})
    else:
        form = form_class(initial=initial or {"discovery_timezone": request.user.timezone},
                          provider=provider)
        formset = RiskStatementFormSet(initial=risk_initial, prefix="risk",
                                       form_kwargs={"provider": provider})
    return render(request, template, {"form": form, "formset": formset, "incident": incident,
                                      "risk_errors": risk_errors}, status=status)


def _require_officer(request, incident=None):
    if incident is not None and not may_change(request.user, incident):
        raise PermissionDenied
    if incident is None and not request.user.is_provider_officer:
        raise PermissionDenied


@login_required
def report_discovery(request):
    _require_officer(request)

    def save(form, values):
        key = form.cleaned_data["submission_key"]
        with transaction.atomic():
            if not first_sending(request.user, key, "discovery", values):
                # Sent twice: the first sending made the draft (which is never removed).
                messages.info(request, ALREADY_SENT)
                earlier = sent_before(request.user, key, "discovery", values)
                return redirect(earlier.answer if earlier and earlier.answer
                                else "incident-list")
            incident = services.create_draft(actor=request.user, **values)
            answered(request.user, key, reverse("incident-detail", args=[incident.pk]),
                     "discovery", values)
        messages.success(request, "Draft saved. Review it and submit the notification.")
        return redirect("incident-detail", pk=incident.pk)

    return _edit(request, incident=None, form_class=NewIncidentForm, save=save,
                 template="incidents/incident_form.html")


@login_required
def edit_draft(request, pk):
    incident = load_incident(request, pk)
    _require_officer(request, incident)
    if not incident.is_draft and request.method != "POST":
        messages.error(request, "A filed notification is not edited; amend it instead.")
        return redirect("incident-detail", pk=incident.pk)

    def save(form, values):
        # Filed meanwhile (a colleague submitted it), or saved by a colleague since the
        # page was filled: the refusal comes back on the form, with everything typed.
        try:
            services.update_draft(actor=request.user, incident=incident, **values)
        except Conflict:
            form.data = form.data.copy()  # a page answering the draft as it now is
            form.data["based_on"] = draft_digest(load_incident(request, incident.pk))
            raise
        messages.success(request, "Draft saved.")
        return redirect("incident-detail", pk=incident.pk)

    return _edit(request, incident=incident, form_class=DraftForm, save=save,
                 template="incidents/incident_form.html",
                 initial={**_initial(incident), "based_on": draft_digest(incident)},
                 risk_initial=_risk_initial(incident))


@login_required
def amend(request, pk):
    incident = load_incident(request, pk)
    _require_officer(request, incident)
    if incident.is_draft:
        return redirect("incident-edit", pk=incident.pk)
    if incident.status == IncidentStatus.CLOSED:
        messages.error(request, CLOSED_CASE)
        return redirect("incident-detail", pk=incident.pk)

    def save(form, values):
        version = services.amend_incident(
            actor=request.user, incident=incident, based_on=form.cleaned_data["based_on"],
            amendment_reason=form.cleaned_data["amendment_reason"], **values)
        messages.success(request, f"Amendment filed as version {version.number}.")
        return redirect("incident-detail", pk=incident.pk)

    return _edit(request, incident=incident, form_class=AmendmentForm, save=save,
                 template="incidents/incident_amend.html",
                 initial={**_initial(incident, with_discovery=False),
                          "based_on": incident.current_version},
                 risk_initial=_risk_initial(incident))


@login_required
def submit(request, pk):
    incident = load_incident(request, pk)
    _require_officer(request, incident)
    if not incident.is_draft:
        messages.info(request, "This notification has already been filed.")
        return redirect("incident-detail", pk=incident.pk)
    late_now = is_late(incident.notification_due_at, timezone.now())
    form = SubmitForm(request.POST if request.method == "POST" else None,
                      initial={"based_on": draft_digest(incident)})
    if late_now:
        form.fields["late_reason"].required_when = "the notification is late"
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            version = services.submit_incident(
                actor=request.user, incident=incident,
                late_reason=form.cleaned_data["late_reason"],
                based_on=form.cleaned_data["based_on"] or None)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("incident-detail", pk=incident.pk)
        except REFUSALS as exc:
            status = refuse_on_form(form, exc)
        else:
            messages.success(request, f"Filed as {version.incident.reference}. Keep the "
                                      "receipt below.")
            return redirect("incident-detail", pk=incident.pk)
    return render(request, "incidents/incident_submit.html", {
        "incident": incident, "form": form, "late_now": late_now,
    }, status=status)


@login_required
def upload_attachment(request, pk):
    incident = load_incident(request, pk)
    _require_officer(request, incident)
    if request.method != "POST":
        return redirect(reverse("incident-detail", args=[incident.pk]) + "#attach")
    form = AttachmentForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                # The same file sent again (Back, a double click) is added once; another
                # file from the same page, even of the same name and size, is added too.
                if not first_sending(request.user, form.cleaned_data["submission_key"],
                                     incident.pk, upload.name, file_sha256(upload)):
                    messages.info(request, ALREADY_SENT)
                    return redirect("incident-detail", pk=incident.pk)
                attachment = services.add_attachment(actor=request.user, incident=incident,
                                                     uploaded_file=upload)
        except Conflict as exc:
            # The case's state refuses it (closed meanwhile): the page may show no form
            # to carry the message, so it leads the page.
            messages.error(request, exc.message)
            status = exc.status_code
        except REFUSALS as exc:
            status = refuse_on_form(form, exc)
        else:
            messages.success(request, f"Attached {attachment.name}.")
            return redirect("incident-detail", pk=incident.pk)
    return render(request, "incidents/incident_detail.html",
                  detail_context(request, incident, attachment_form=form), status=status)
