"""Pages: the compliance record of a provider with the list behind each figure, and
proceedings (USPS managers open them and issue notices and decisions; the provider's
officers answer). Through the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from compliance.api.fields import id_from
from compliance.display import display_time
from compliance.errors import REFUSALS, Conflict
from compliance.exports.columns import obligation_columns, proceeding_columns
from compliance.exports.pages import list_export, list_query
from compliance.forms import refuse_on_form
from compliance.models import (
    AuditEvent,
    Obligation,
    Proceeding,
    ProceedingStep,
    ProceedingStepVersion,
    Provider,
    Side,
    StepKind,
)
from compliance.models.obligations import PROCEEDING_KINDS, RECORD_KINDS
from compliance.sent_once import ALREADY_SENT, answered, first_sending, sent_before

from . import flow, periods, services
from .api import ProceedingFilter
from .cases import case_source
from .forms import AmendForm, NoteForm, OpenProceedingForm, RecordPeriodForm, StepForm
from .record import (
    FIGURE_LABELS,
    FIGURES,
    LISTS,
    compliance_record,
    default_period,
    duties_behind,
    requested_period,
)

PAGE_SIZE = 25


def _provider(request, pk):
    return get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)


def _period(request, provider, now):
    """(form, period, status): the period asked for, else the default one and 400."""
    form = RecordPeriodForm(request.GET)
    if form.is_valid():
        try:
            return form, requested_period(provider, now, form.cleaned_data["start"],
                                          form.cleaned_data["end"]), 200
        except ValidationError as exc:
            form.add_error("start", exc.message_dict["from"])
    return form, default_period(provider, now), 400


@login_required
def compliance_record_page(request, pk):
    """The record per clause, each figure a link to the duties behind it."""
    provider = _provider(request, pk)
    now = timezone.now()
    form, period, status = _period(request, provider, now)
    record = compliance_record(provider, period, now)
    duties_path = reverse("compliance-record-duties", args=[provider.pk])

    def behind(kind, figure):
        return f"{duties_path}?" + urlencode({
            "from": period.first.isoformat(), "to": period.last.isoformat(), "kind": kind,
            "figure": figure})

    totals = {"kind": "", **record["totals"]}
    for clause in [*record["clauses"], totals]:
        clause["links"] = [(clause[name], behind(clause["kind"], name))
                           for name in FIGURES]
    return render(request, "enforcement/compliance_record.html", {
        "provider": provider, "form": form, "period": period, "record": record,
        "totals": totals, "figures": [FIGURE_LABELS[name] for name in FIGURES],
        "filed_path": behind("notification", "filed"),
        "open_cases_path": case_source().open_cases_path(provider.pk,
                                                         record["open_cases_at"]),
        "proceedings": Proceeding.objects.visible_to(request.user).filter(provider=provider)
        .order_by("-opened_at", "-id")[:20],
    }, status=status)


@login_required
def compliance_record_duties(request, pk):
    """The duties behind one figure of the record: a kind (or all) and a figure."""
    provider = _provider(request, pk)
    now = timezone.now()
    form, period, status = _period(request, provider, now)
    kind = request.GET.get("kind", "")
    figure = request.GET.get("figure", "owed")
    if kind not in ("", *RECORD_KINDS) or figure not in LISTS:
        # On the form, so that the CSV is refused like the page (list_export answers 400).
        form.add_error(None, f"Choose a clause ({', '.join(RECORD_KINDS)}, or none for all) "
                             f"and a figure ({', '.join(LISTS)}).")
        kind, figure, status = "", "owed", 400
    duties = duties_behind(provider, period, kind or None, figure).order_by(
        "original_due_at", "id")
    export = list_export(request, form, obligation_columns,
                         f"compliance-record-{provider.pk}-{kind or 'all'}-{figure}",
                         rows=duties.select_related("provider"))
    if export is not None:
        return export
    page = Paginator(duties, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enforcement/record_duties.html", {
        "provider": provider, "form": form, "period": period, "page": page,
        "query": list_query(request), "figure": FIGURE_LABELS[figure],
        "kind_label": dict(Obligation._meta.get_field("kind").choices).get(kind, "All clauses"),
        "record_path": reverse("compliance-record", args=[provider.pk]) + "?" + urlencode(
            {"from": period.first.isoformat(), "to": period.last.isoformat()}),
    }, status=status)


@login_required
def proceeding_list(request):
    user = request.user
    filterset = ProceedingFilter(request.GET, request=request, queryset=(
        Proceeding.objects.visible_to(user).select_related("provider")
        .order_by("-opened_at", "-id")))
    export = list_export(request, filterset, proceeding_columns, "proceedings")
    if export is not None:
        return export
    valid = filterset.is_valid()
    page = Paginator(filterset.qs if valid else Proceeding.objects.none(),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enforcement/proceeding_list.html", {
        "page": page, "filterset": filterset, "query": list_query(request),
        "providers": Provider.objects.visible_to(user) if user.is_usps else None,
    }, status=200 if valid else 400)


@login_required
def proceeding_create(request):
    """USPS managers: choose the provider, then the kind, the grounds and what to cite."""
    if not request.user.is_usps_manager:
        raise PermissionDenied
    provider = Provider.objects.filter(pk=id_from(request.GET.get("provider"))).first()
    if provider is None:
        return render(request, "enforcement/proceeding_provider.html",
                      {"providers": Provider.objects.order_by("name")})
    initial = {"obligations": request.GET.getlist("obligation"),
               "incidents": request.GET.getlist("incident")}
    form = OpenProceedingForm(request.POST or None, provider=provider, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # Sent twice (a double click, a retry), the page opens one proceeding: the
            # second sending goes where the first led.
            key = form.cleaned_data["submission_key"]
            said = (provider.pk, {name: value for name, value in form.cleaned_data.items()
                                  if name != "submission_key"})
            try:
                with transaction.atomic():
                    if not first_sending(request.user, key, *said):
                        earlier = sent_before(request.user, key, *said)
                        messages.info(request, ALREADY_SENT)
                        return redirect(earlier.answer or "proceeding-list")
                    proceeding = services.open_proceeding(actor=request.user,
                                                          **form.service_arguments())
                    answered(request.user, key,
                             reverse("proceeding-detail", args=[proceeding.pk]), *said)
            except REFUSALS as exc:
                status = refuse_on_form(form, exc)
            else:
                messages.success(request, f"{proceeding.reference} is open; its first notice "
                                          "has been sent to the provider's officers.")
                return redirect("proceeding-detail", pk=proceeding.pk)
    return render(request, "enforcement/proceeding_form.html",
                  {"form": form, "provider": provider}, status=status)


def _load(request, pk):
    versions = ProceedingStepVersion.objects.select_related("submitted_by").order_by("number")
    steps = (ProceedingStep.objects.select_related("issued_by", "period")
             .prefetch_related(Prefetch("versions", queryset=versions)).order_by("number"))
    return get_object_or_404(periods.with_provider_period_due(
        Proceeding.objects.visible_to(request.user).select_related("provider", "opened_by")
        .prefetch_related("pes_models", Prefetch("steps", queryset=steps))), pk=pk)


def _detail(request, proceeding, step_form=None, amend_form=None, note_form=None, status=200):
    user = request.user
    steps = list(proceeding.steps.all())
    kinds = services.may_issue(user, proceeding)
    last = steps[-1] if steps else None
    may_amend = last is not None and services.may_amend(user, last)
    opening = steps[0].versions.all()[0].content if steps else {}
    return render(request, "enforcement/proceeding_detail.html", {
        "proceeding": proceeding, "steps": steps, "evidence": opening.get("evidence", {}),
        "periods": Obligation.objects.visible_to(user).filter(
            object_id=proceeding.pk, kind__in=PROCEEDING_KINDS).order_by("due_at", "id"),
        "usps_waiting": Obligation.objects.visible_to(user).usps_targets().outstanding()
        .filter(object_id=proceeding.pk, kind="usps_proceeding_decision") if user.is_usps
        else [],
        "step_form": step_form or (StepForm(proceeding=proceeding, kinds=kinds,
                                            initial={"after": last.number if last else 0})
                                   if kinds else None),
        "amend_step": last if may_amend else None,
        "amend_form": (amend_form or AmendForm(initial={
            "body": last.body, "based_on": last.current_version})) if may_amend else None,
        "notes": proceeding.notes.visible_to(user).select_related("author")
        if user.is_usps else [],
        "note_form": note_form or (NoteForm() if user.is_usps else None),
        "history": AuditEvent.objects.visible_to(user).for_object(proceeding)
        .select_related("actor").order_by("at", "id"),
        "next_turn": _next_turn(proceeding, timezone.now()),
        "now": timezone.now(),
    }, status=status)


def _next_turn(proceeding, now):
    """Who may act next and with what, whoever reads it: a viewer of the provider sees
    that its officers must answer, a reviewer that it is the managers' turn (a notice of
    suspension or a decision once the provider's period ends, unless it answers first)."""
    steps = flow.next_steps(proceeding.kind, proceeding.state,
                            proceeding.suspension_runs_at(now))
    waiting = periods.period_runs(proceeding, now)
    labels = {}
    for kind in steps:
        label = StepKind(kind).label.lower()
        if waiting and kind in flow.AFTER_PERIOD:
            label += (f" once the provider answers or its period ends "
                      f"({display_time(periods.provider_period_due(proceeding))})")
        labels.setdefault(flow.side_of(kind), []).append(label)
    turns = []
    if Side.PROVIDER in labels:
        turns.append("the provider's compliance officers may file "
                     + " or ".join(labels[Side.PROVIDER]))
    if Side.USPS in labels:
        turns.append("USPS managers may issue " + " or ".join(labels[Side.USPS]))
    return f"Next, {'; '.join(turns)}." if turns else ""


def _shown(form, field, value):
    """The form as sent, its hidden `field` now naming what the page shows (`value`)."""
    form.data = form.data.copy()
    form.data[field] = str(value)
    return form


@login_required
def proceeding_detail(request, pk):
    return _detail(request, _load(request, pk))


def _back(proceeding, anchor):
    return redirect(reverse("proceeding-detail", args=[proceeding.pk]) + anchor)


@login_required
def proceeding_step(request, pk):
    proceeding = _load(request, pk)
    kinds = services.may_issue(request.user, proceeding)
    if request.method != "POST":
        return _back(proceeding, "#next-step")
    after = id_from(request.POST.get("after"))
    if after is not None and services.may_act_on(request.user, proceeding):
        # Sent twice, its turn has passed (or the proceeding closed) by the second: it is
        # the step the first filed.
        sent = services.sent_again(
            request.user, proceeding, after=after, kind=request.POST.get("kind", ""),
            body=request.POST.get("body", ""), outcome=request.POST.get("outcome", ""),
            days=request.POST.get("days", "").strip() or None,
            effective_date=request.POST.get("effective_date", "").strip() or None,
            late_reason=request.POST.get("late_reason", ""))
        if sent is not None:
            messages.info(request, f"{sent.get_kind_display()} was filed as step "
                                   f"{sent.number}: this form was sent twice.")
            return _back(proceeding, f"#step-{sent.number}")
    if not kinds:
        if not services.may_act_on(request.user, proceeding):
            raise PermissionDenied
        messages.error(request, (
            f"This proceeding is closed ({proceeding.get_state_display().lower()}): no step "
            "follows." if proceeding.closed_at else
            "Nothing is for you to file now: the other side acts next."))
        return _detail(request, proceeding, status=409)
    form = StepForm(request.POST, proceeding=proceeding, kinds=kinds)
    if not form.is_valid():
        return _detail(request, proceeding, step_form=form, status=400)
    try:
        step = services.issue_step(actor=request.user, proceeding=proceeding,
                                   **form.cleaned_data)
    except REFUSALS as exc:
        status = refuse_on_form(form, exc)
        proceeding = _load(request, pk)
        # What was typed comes back, now answering the steps the page shows.
        return _detail(request, proceeding, step_form=_shown(form, "after", max(
            (s.number for s in proceeding.steps.all()), default=0)), status=status)
    messages.success(request, f"{step.get_kind_display()} filed as step {step.number}. "
                              "Keep its receipt (SHA-256) below.")
    return _back(proceeding, f"#step-{step.number}")


@login_required
def proceeding_step_amend(request, pk, step_pk):
    proceeding = _load(request, pk)
    step = get_object_or_404(ProceedingStep.objects.filter(proceeding=proceeding), pk=step_pk)
    if request.method != "POST":
        return _back(proceeding, f"#step-{step.number}")
    form = AmendForm(request.POST)
    try:
        # Before the form: a step the page no longer offers to amend is told as such.
        services.require_amendable(request.user, step)
        if not form.is_valid():
            return _detail(request, proceeding, amend_form=form, status=400)
        version = services.amend_step(actor=request.user, step=step,
                                      body=form.cleaned_data["body"],
                                      reason=form.cleaned_data["amendment_reason"],
                                      based_on=form.cleaned_data["based_on"])
    except Conflict as exc:
        step.refresh_from_db()
        shown = getattr(form, "cleaned_data", {}).get("based_on")
        if shown not in (None, step.current_version) and services.may_amend(
                request.user, step) and not step.proceeding.steps.filter(
                number__gt=step.number).exists():
            # A colleague amended it meanwhile: what was typed comes back beside their text.
            status = refuse_on_form(form, exc)
            return _detail(request, _load(request, pk), status=status, amend_form=_shown(
                form, "based_on", step.current_version))
        # The other side has answered meanwhile (or the system issued the step).
        messages.error(request, exc.message)
        return _back(proceeding, f"#step-{step.number}")
    except REFUSALS as exc:
        status = refuse_on_form(form, exc)
        return _detail(request, proceeding, amend_form=form, status=status)
    messages.success(request, f"Step {step.number} amended: version {version.number}.")
    return _back(proceeding, f"#step-{step.number}")


@login_required
def proceeding_note(request, pk):
    proceeding = _load(request, pk)
    if request.method != "POST":
        return _back(proceeding, "#notes")
    if not request.user.is_usps:
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, proceeding, note_form=form, status=400)
    with transaction.atomic():
        if not first_sending(request.user, form.cleaned_data["submission_key"],
                             proceeding.pk, form.cleaned_data["body"]):
            messages.info(request, ALREADY_SENT)
            return _back(proceeding, "#notes")
        services.add_proceeding_note(actor=request.user, proceeding=proceeding,
                                     body=form.cleaned_data["body"])
    messages.success(request, "Note added (USPS only).")
    return _back(proceeding, "#notes")
