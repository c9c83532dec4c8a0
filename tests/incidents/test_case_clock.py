"""The case clock (incidents/clock.py): the database keeps each case's earliest owed due
time, next due time and wait on USPS from its obligations, whichever code writes them; the
overdue filter and the queue read it."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from compliance.models import Obligation, ObligationKind, ObligationState
from compliance.models.obligations import OUTSTANDING_STATES, PROVIDER_KINDS, USPS_KINDS
from incidents import clock
from incidents.filters import IncidentFilter
from incidents.models import Incident
from tests import factories

from .factories import NOW, IncidentFactory, make_draft, make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def clock_of(incident):
    incident.refresh_from_db()
    return incident.owed_due_at, incident.next_due_at, incident.waiting_since


def expected(incident):
    """The three times as their definitions read them off the obligations."""
    owed = [o for o in Obligation.objects.filter(incident_id=incident.pk)
            if o.state in OUTSTANDING_STATES]
    return (min((o.due_at for o in owed if o.kind in PROVIDER_KINDS), default=None),
            min((o.due_at for o in owed if o.usps_visible), default=None),
            min((o.created_at for o in owed if o.usps_visible and o.kind in USPS_KINDS),
                default=None))


def duty(incident, **values):
    values.setdefault("kind", ObligationKind.WRITTEN_REPORT)
    values.setdefault("usps_visible", True)
    return factories.ObligationFactory(provider=incident.provider, incident_id=incident.pk,
                                       **values)


def test_a_draft_owes_its_notification_and_usps_sees_nothing(officer_a):
    incident = make_draft(officer_a)
    owed, next_due, waiting = clock_of(incident)
    assert owed == incident.notification_due_at
    assert next_due is None and waiting is None  # the draft's duty is the provider's alone


def test_filing_meets_the_notification_and_starts_usps_triage(officer_a):
    incident = make_filed(officer_a)
    triage = Obligation.objects.get(incident_id=incident.pk, kind=ObligationKind.USPS_TRIAGE)
    assert clock_of(incident) == (None, triage.due_at, triage.created_at)


def test_meeting_missing_waiving_and_moving_a_duty(officer_a):
    incident = IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    early = duty(incident, due_at=NOW + timedelta(days=1))
    late = duty(incident, kind=ObligationKind.STATUS_REPORT, due_at=NOW + timedelta(days=5))
    assert clock_of(incident)[:2] == (early.due_at, early.due_at)

    Obligation.objects.filter(pk=early.pk).update(state=ObligationState.MISSED)
    assert clock_of(incident)[0] == early.due_at  # missed is still owed

    Obligation.objects.filter(pk=early.pk).update(state=ObligationState.MET)
    assert clock_of(incident)[:2] == (late.due_at, late.due_at)

    moved = NOW + timedelta(days=9)
    Obligation.objects.filter(pk=late.pk).update(due_at=moved)
    assert clock_of(incident)[:2] == (moved, moved)

    Obligation.objects.filter(pk=late.pk).update(state=ObligationState.WAIVED)
    assert clock_of(incident) == (None, None, None)


def test_removing_or_moving_a_duty_to_another_case(officer_a):
    first = IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    second = IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    obligation = duty(first, due_at=NOW + timedelta(days=2))
    Obligation.objects.filter(pk=obligation.pk).update(incident_id=second.pk)
    assert clock_of(first)[0] is None
    assert clock_of(second)[0] == obligation.due_at
    Obligation.objects.filter(pk=obligation.pk).delete()
    assert clock_of(second)[0] is None


def test_usps_targets_are_not_the_providers_duties(officer_a):
    incident = IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    target = duty(incident, kind=ObligationKind.USPS_REPORT_REVIEW,
                  due_at=NOW + timedelta(days=3))
    owed, next_due, waiting = clock_of(incident)
    assert owed is None
    assert next_due == target.due_at
    assert waiting == target.created_at


def test_the_clock_matches_its_definition_over_random_writes(officer_a, officer_b):
    rng = random.Random(11)
    cases = [IncidentFactory(provider=officer.provider, created_by=officer)
             for officer in (officer_a, officer_b) for _ in range(4)]
    kinds = [ObligationKind.NOTIFICATION, ObligationKind.WRITTEN_REPORT,
             ObligationKind.STATUS_REPORT, ObligationKind.USPS_TRIAGE,
             ObligationKind.USPS_REPORT_REVIEW]
    states = list(ObligationState.values)
    made = []
    for _ in range(40):
        incident = rng.choice(cases)
        made.append(duty(incident, kind=rng.choice(kinds), state=rng.choice(states),
                         usps_visible=rng.random() < 0.8,
                         due_at=NOW + timedelta(hours=rng.randint(-300, 300))))
    for _ in range(40):
        obligation = rng.choice(made)
        Obligation.objects.filter(pk=obligation.pk).update(
            state=rng.choice(states), due_at=NOW + timedelta(hours=rng.randint(-300, 300)),
            usps_visible=rng.random() < 0.8)
    for incident in cases:
        assert clock_of(incident) == expected(incident), incident.pk


@pytest.mark.parametrize("value", ["true", "false"])
def test_overdue_filter_is_a_duty_of_the_provider_owed_past_due(officer_a, reviewer, value):
    cases = [IncidentFactory(provider=officer_a.provider, created_by=officer_a,
                             status="submitted") for _ in range(5)]
    duty(cases[0], due_at=NOW - timedelta(hours=1))                                 # overdue
    duty(cases[1], due_at=NOW - timedelta(hours=1), state=ObligationState.MISSED)  # overdue
    duty(cases[2], due_at=NOW + timedelta(hours=1))                                 # not yet
    duty(cases[3], due_at=NOW - timedelta(hours=1), state=ObligationState.MET)      # met
    duty(cases[4], due_at=NOW - timedelta(hours=1),
         kind=ObligationKind.USPS_TRIAGE)                                            # USPS's
    found = set(IncidentFilter({"overdue": value},
                               queryset=Incident.objects.visible_to(reviewer)).qs
                .values_list("pk", flat=True))
    overdue = {cases[0].pk, cases[1].pk}
    assert found == (overdue if value == "true" else {c.pk for c in cases} - overdue)


def test_recompute_all_sets_every_clock(officer_a):
    incident = IncidentFactory(provider=officer_a.provider, created_by=officer_a)
    obligation = duty(incident, due_at=NOW + timedelta(days=1))
    Incident.objects.filter(pk=incident.pk).update(owed_due_at=None, next_due_at=None)
    with connection.cursor() as cursor:
        clock.recompute_all(cursor)
    assert clock_of(incident)[:2] == (obligation.due_at, obligation.due_at)


def test_time_passing_makes_a_case_overdue_without_a_write(officer_a, reviewer):
    incident = IncidentFactory(provider=officer_a.provider, created_by=officer_a,
                               status="submitted")
    duty(incident, due_at=NOW + timedelta(hours=1))

    def overdue_ids():
        return set(IncidentFilter({"overdue": "true"},
                                  queryset=Incident.objects.visible_to(reviewer)).qs
                   .values_list("pk", flat=True))

    assert overdue_ids() == set()
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert overdue_ids() == {incident.pk}
