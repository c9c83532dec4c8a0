import pytest
from django.core.management import CommandError, call_command

from compliance.models import Obligation, ObligationKind, ObligationState
from incidents.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_mode(settings):
    """The demo is `make run`'s (DEBUG=true)."""
    settings.DEBUG = True


def test_it_loads_a_case_at_each_stage_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo_cases")
    call_command("seed_demo_cases")

    statuses = sorted(Incident.objects.values_list("status", flat=True))
    assert statuses == sorted([IncidentStatus.DRAFT, IncidentStatus.UNDER_REVIEW,
                               IncidentStatus.INVESTIGATING, IncidentStatus.SUBMITTED])
    assert Incident.objects.filter(is_late=True).count() == 1
    owed = Obligation.objects.filter(state=ObligationState.OPEN)
    assert {o.kind for o in owed} >= {ObligationKind.NOTIFICATION, ObligationKind.WRITTEN_REPORT,
                                      ObligationKind.STATUS_REPORT,
                                      ObligationKind.FINAL_SUMMARY}
    assert capsys.readouterr().out.strip().endswith("Demo cases: 0 made.")


def test_it_gives_the_reviewer_an_item_of_each_kind_to_work(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    call_command("seed_demo_cases")

    waiting = Obligation.objects.usps_targets().outstanding()
    assert {t.kind for t in waiting} == {
        ObligationKind.USPS_TRIAGE, ObligationKind.USPS_REPORT_REVIEW,
        ObligationKind.USPS_EXTENSION_DECISION, ObligationKind.USPS_PROCEDURES_REVIEW,
        ObligationKind.USPS_PROCEEDING_DECISION}


def test_it_refuses_to_run_before_the_demo_people_exist():
    with pytest.raises(CommandError, match="seed_demo` first"):
        call_command("seed_demo_cases")

    assert not Incident.objects.exists()


def test_it_refuses_to_run_on_a_deployment(settings):
    call_command("seed_demo")
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo_cases")

    assert not Incident.objects.exists()
