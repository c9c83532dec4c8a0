"""The deadline policy page for USPS managers and `save_deadline_policy`."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.enforcement.services import open_proceeding
from compliance.errors import Conflict
from compliance.models import AuditEvent, DeadlinePolicy, Obligation, ObligationKind
from compliance.models.policy import (
    DEFAULT_ESCALATION,
    DEFAULT_PROCEEDING_PERIODS,
    DEFAULT_REMINDER_OFFSETS_HOURS,
    DEFAULT_RISK_WINDOWS,
    DEFAULT_USPS_TARGETS,
)
from compliance.services.policy import save_deadline_policy
from compliance.services.schedule import reschedule_reminders
from notifications.models import OutboundEmail
from notifications.sweep import sweep
from tests import factories

PAGE = "/notifications/policy/"
DUE = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def form_data(**overrides):
    """The page's form filled in with the defaults, a note, and `overrides`."""
    data = {
        "repeat_after_hours": "4, 12, 24",
        "managers_after_hours": "24",
        "max_escalations": "10",
        "note": "Tighter windows for critical cases after the spring review.",
    }
    for risk, windows in DEFAULT_RISK_WINDOWS.items():
        for field, value in windows.items():
            data[f"{risk}__{field}"] = str(value)
    for kind, offsets in DEFAULT_REMINDER_OFFSETS_HOURS.items():
        data[f"offsets__{kind}"] = ", ".join(str(h) for h in offsets)
    for kind, target in DEFAULT_USPS_TARGETS.items():
        data[f"target__{kind}__days"] = str(target["days"])
        data[f"target__{kind}__unit"] = "business" if target["business_days"] else "calendar"
    for risk, days in DEFAULT_PROCEEDING_PERIODS["correction_days"].items():
        data[f"period__correction__{risk}"] = str(days)
    for period in ("defense", "appeal", "suspension"):
        data[f"period__{period}"] = str(DEFAULT_PROCEEDING_PERIODS[f"{period}_days"])
    data.update(overrides)
    return data


def save(actor, **overrides):
    arguments = {
        "risk_windows": DEFAULT_RISK_WINDOWS,
        "reminder_offsets_hours": DEFAULT_REMINDER_OFFSETS_HOURS,
        "escalation": DEFAULT_ESCALATION,
        "note": "Reviewed.",
    }
    arguments.update(overrides)
    return save_deadline_policy(actor=actor, **arguments)


# --- Who may see the page ---


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "viewer_a", "reviewer"])
def test_it_forbids_everyone_but_managers(client, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form_data()).status_code == 403
    assert not DeadlinePolicy.objects.exists()


def test_it_links_the_page_in_the_navigation_for_managers_only(client, manager, reviewer):
    client.force_login(manager)
    assert f'href="{PAGE}"'.encode() in client.get("/notifications/preferences/").content

    client.force_login(reviewer)
    assert f'href="{PAGE}"'.encode() not in client.get("/notifications/preferences/").content


# --- What the page shows ---


def test_it_shows_the_built_in_defaults_labelled_as_internal_policy(
        client, manager, django_assert_max_num_queries):
    client.force_login(manager)

    with django_assert_max_num_queries(6):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert b"built-in defaults (internal USPS policy, not regulation)" in response.content
    assert b"No version saved yet" in response.content
    form = response.context["form"]
    assert form["critical__written_report_days"].value() == 3
    assert 'value="12, 4, 1"' in str(form["offsets__notification"])


def test_it_shows_the_version_in_force_and_the_history(client, manager,
                                                       django_assert_max_num_queries):
    for n in range(12):
        save(manager, note=f"Revision {n + 1}")
    client.force_login(manager)

    with django_assert_max_num_queries(6):
        response = client.get(PAGE)

    assert b"In force:\n    version 12" in response.content
    assert response.context["versions"][0].version == 12
    assert len(response.context["versions"]) == 12
    assert b"Revision 1<" in response.content
    assert b"internal USPS policy, not regulation" in response.content


# --- Saving through the page ---


def test_it_saves_a_new_version_from_the_page(client, manager):
    client.force_login(manager)

    response = client.post(PAGE, form_data(**{
        "critical__written_report_days": "2",
        "offsets__notification": "16, 8,2, 0.5",
        "offsets__procedures": "",
        "repeat_after_hours": "2, 6",
        "managers_after_hours": "12",
        "max_escalations": "5",
    }))

    assert response.status_code == 302
    policy = DeadlinePolicy.in_force()
    assert policy.version == 1
    assert policy.created_by == manager
    assert policy.risk_windows["critical"] == {"written_report_days": 2,
                                               "status_report_interval_days": 3}
    assert policy.risk_windows["low"] == DEFAULT_RISK_WINDOWS["low"]
    assert policy.reminder_offsets_hours["notification"] == [16, 8, 2, 0.5]
    assert policy.reminder_offsets_hours["procedures"] == []
    assert policy.escalation == {"repeat_after_hours": [2, 6], "managers_after_hours": 12,
                                 "max_escalations": 5}
    assert policy.note.startswith("Tighter windows")


@pytest.mark.parametrize("field,value,message", [
    ("offsets__written_report", "72, -4", "must be positive"),
    ("offsets__written_report", "72, soon", "is not a number"),
    ("offsets__status_report", "0", "must be positive"),
    ("high__written_report_days", "0", "greater than or equal to 1"),
    ("repeat_after_hours", "", "required"),
    ("max_escalations", "1000", "less than or equal to 100"),
    ("note", "", "required"),
])
def test_it_refuses_bad_values_on_the_page(client, manager, field, value, message):
    client.force_login(manager)

    response = client.post(PAGE, form_data(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DeadlinePolicy.objects.exists()


# --- The service ---


def test_it_refuses_anyone_but_a_manager(officer_a, reviewer):
    for actor in (officer_a, reviewer):
        with pytest.raises(PermissionDenied):
            save(actor)
    assert not DeadlinePolicy.objects.exists()


def test_it_numbers_versions_one_after_another(manager):
    assert [save(manager).version for _ in range(3)] == [1, 2, 3]
    assert DeadlinePolicy.in_force().version == 3


def test_it_retries_when_another_manager_took_the_version(manager, monkeypatch):
    from compliance.services import policy as service

    real, calls = service._save_next_version, []

    def racing(actor, values, note):
        calls.append(1)
        if len(calls) == 1:  # the other manager's insert of the same version won
            DeadlinePolicy.objects.create(version=1, note="The other manager's.")
            DeadlinePolicy.objects.create(version=1, note="Ours, too late.")
        return real(actor, values, note)

    monkeypatch.setattr(service, "_save_next_version", racing)

    policy = save(manager)

    assert len(calls) == 2
    assert policy.version == 1  # the failed attempt left nothing behind
    assert DeadlinePolicy.objects.count() == 1
    assert AuditEvent.objects.filter(action="deadline_policy.saved").count() == 1


def test_it_gives_up_after_repeated_version_conflicts(manager, monkeypatch):
    from django.db import IntegrityError

    from compliance.services import policy as service

    def always_taken(actor, values, note):
        raise IntegrityError("UNIQUE constraint failed: version")

    monkeypatch.setattr(service, "_save_next_version", always_taken)

    with pytest.raises(Conflict, match="try again"):
        save(manager)


def test_it_requires_a_note(manager):
    with pytest.raises(ValidationError) as caught:
        save(manager, note="  ")
    assert "note" in caught.value.message_dict


def test_it_requires_every_revenue_risk(manager):
    windows = {k: v for k, v in DEFAULT_RISK_WINDOWS.items() if k != "critical"}
    with pytest.raises(ValidationError, match="Critical revenue risk"):
        save(manager, risk_windows=windows)


def test_it_refuses_non_positive_reminder_offsets(manager):
    offsets = {**DEFAULT_REMINDER_OFFSETS_HOURS, "final_summary": [24, 0]}
    with pytest.raises(ValidationError, match="must be positive"):
        save(manager, reminder_offsets_hours=offsets)


def test_it_refuses_an_empty_or_endless_escalation_ladder(manager):
    with pytest.raises(ValidationError, match="at least one repeat interval"):
        save(manager, escalation={**DEFAULT_ESCALATION, "repeat_after_hours": []})
    with pytest.raises(ValidationError, match="at most 100"):
        save(manager, escalation={**DEFAULT_ESCALATION, "max_escalations": 10_000})
    with pytest.raises(ValidationError, match="must be positive"):
        save(manager, escalation={**DEFAULT_ESCALATION, "repeat_after_hours": [float("inf")]})


def test_it_sorts_and_deduplicates_reminder_offsets(manager):
    offsets = {**DEFAULT_REMINDER_OFFSETS_HOURS, "notification": [1, 12, 4, 12.0]}

    policy = save(manager, reminder_offsets_hours=offsets)

    assert policy.reminder_offsets_hours["notification"] == [12, 4, 1]


def test_it_records_an_audit_event_with_the_changes(manager):
    windows = {**DEFAULT_RISK_WINDOWS, "critical": {"written_report_days": 2,
                                                    "status_report_interval_days": 3}}

    policy = save(manager, risk_windows=windows, note="Critical cases faster.")

    event = AuditEvent.objects.for_object(policy).get()
    assert event.action == "deadline_policy.saved"
    assert event.actor == manager
    assert event.reason == "Critical cases faster."
    assert event.usps_only is True
    assert set(event.changes) == {"risk_windows", "version"}
    assert event.changes["version"] == [None, 1]


def test_it_never_moves_a_deadline_already_set(manager, provider_a, provider_b):
    obligations = [
        factories.ObligationFactory(provider=provider_a, kind=kind, due_at=DUE,
                                    original_due_at=DUE)
        for kind in ObligationKind.values
    ] + [factories.ObligationFactory(provider=provider_b, due_at=DUE, original_due_at=DUE,
                                     usps_visible=False)]
    before = {o.pk: (o.due_at, o.original_due_at, o.state) for o in obligations}

    save(manager, risk_windows={risk: {"written_report_days": 1,
                                       "status_report_interval_days": 1}
                                for risk in DEFAULT_RISK_WINDOWS},
         reminder_offsets_hours={kind: [1] for kind in ObligationKind.values},
         escalation={"repeat_after_hours": [1], "managers_after_hours": 0,
                     "max_escalations": 1})

    after = {o.pk: (o.due_at, o.original_due_at, o.state) for o in Obligation.objects.all()}
    assert after == before


# --- USPS's own targets ---


def test_it_shows_usps_targets_and_saves_new_ones_from_the_page(client, manager):
    client.force_login(manager)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="usps-targets"' in page
    assert "2 business days" in page and "30 calendar days" in page

    response = client.post(PAGE, form_data(**{
        "target__usps_triage__days": "1",
        "target__usps_procedures_review__days": "20",
        "target__usps_procedures_review__unit": "business",
        "offsets__usps_triage": "4",
    }))

    assert response.status_code == 302
    policy = DeadlinePolicy.in_force()
    assert policy.usps_target("usps_triage") == {"days": 1, "business_days": True}
    assert policy.usps_target("usps_procedures_review") == {"days": 20, "business_days": True}
    assert policy.offsets_for("usps_triage") == [4]
    saved = AuditEvent.objects.get(action="deadline_policy.saved")
    assert "usps_targets" in saved.changes and saved.usps_only


@pytest.mark.parametrize("days", ["0", "366", "two"])
def test_it_refuses_a_usps_target_out_of_range_and_saves_nothing(client, manager, days):
    client.force_login(manager)

    response = client.post(PAGE, form_data(**{"target__usps_triage__days": days}))

    assert response.status_code == 200
    assert not DeadlinePolicy.objects.exists()


def test_the_service_refuses_a_usps_target_out_of_range(manager):
    with pytest.raises(ValidationError) as refused:
        save(manager, usps_targets={**DEFAULT_USPS_TARGETS,
                                    "usps_triage": {"days": 0, "business_days": True}})

    assert "usps_targets" in refused.value.message_dict
    assert not DeadlinePolicy.objects.exists()


def test_a_version_saved_without_targets_keeps_those_in_force(manager):
    first = save(manager, usps_targets={**DEFAULT_USPS_TARGETS,
                                        "usps_triage": {"days": 3, "business_days": False}})
    second = save(manager)

    assert second.version == first.version + 1
    assert second.usps_target("usps_triage") == {"days": 3, "business_days": False}


# --- Enforcement periods ---


def test_it_shows_the_proceeding_periods_and_saves_new_ones_from_the_page(client, manager):
    client.force_login(manager)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="proceeding-periods"' in page
    assert "Defense within" in page and "Suspension lasts" in page

    response = client.post(PAGE, form_data(**{"period__correction__high": "10",
                                              "period__appeal": "45"}))

    assert response.status_code == 302
    policy = DeadlinePolicy.in_force()
    assert (policy.proceeding_days("correction", "high"), policy.proceeding_days("appeal"),
            policy.proceeding_days("defense")) == (10, 45, 30)
    saved = AuditEvent.objects.get(action="deadline_policy.saved")
    assert saved.changes["proceeding_periods"][1]["appeal_days"] == 45


@pytest.mark.parametrize("field, value", [("period__defense", "0"),
                                          ("period__correction__low", "x"),
                                          ("period__suspension", "4000")])
def test_it_refuses_a_proceeding_period_out_of_range_and_saves_nothing(client, manager,
                                                                       field, value):
    client.force_login(manager)

    response = client.post(PAGE, form_data(**{field: value}))

    assert response.status_code == 200 and not DeadlinePolicy.objects.exists()


def test_the_service_refuses_a_period_without_every_risk(manager):
    with pytest.raises(ValidationError) as refused:
        save(manager, proceeding_periods={**DEFAULT_PROCEEDING_PERIODS,
                                          "correction_days": {"low": 5}})

    assert "proceeding_periods" in refused.value.message_dict


@time_machine.travel(DUE, tick=False)
def test_a_new_period_applies_to_new_proceedings_only(manager, provider_a):
    first = open_proceeding(actor=manager, provider=provider_a, kind="sanction",
                            grounds="Unpaid postage.")
    due = Obligation.objects.get(object_id=first.pk).due_at
    save(manager, proceeding_periods={**DEFAULT_PROCEEDING_PERIODS, "defense_days": 10})
    second = open_proceeding(actor=manager, provider=provider_a, kind="sanction",
                             grounds="Unpaid postage, again.")

    assert Obligation.objects.get(object_id=first.pk).due_at == due
    assert (Obligation.objects.get(object_id=second.pk).due_at - due).days == -20


def test_a_reminder_added_by_a_new_policy_goes_out_for_duties_already_owed(
        manager, provider_a, officer_a):
    """A written report due in ten days, opened when reminders came 72, 24 and 4 hours
    before: a manager adds one a week before, and it goes out, then the 72-hour one. A
    step already past when the policy changes is not sent for it."""
    with time_machine.travel(DUE - timedelta(days=10), tick=False):
        duty = factories.ObligationFactory(provider=provider_a,
                                           kind=ObligationKind.WRITTEN_REPORT,
                                           due_at=DUE, original_due_at=DUE)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
        soon = factories.ObligationFactory(provider=provider_a,
                                           kind=ObligationKind.WRITTEN_REPORT,
                                           due_at=DUE - timedelta(days=8),
                                           original_due_at=DUE - timedelta(days=8))
        reschedule_reminders(soon, DeadlinePolicy.in_force())
        soon.save()
        policy = save(manager, note="Remind a week before written reports.",
                      reminder_offsets_hours={**DEFAULT_REMINDER_OFFSETS_HOURS,
                                              "written_report": [168, 72, 24, 4]})

    duty.refresh_from_db()
    soon.refresh_from_db()
    assert duty.next_action_at == DUE - timedelta(hours=168)
    # Its week had passed: its cursor stays where the sweep will take it.
    assert soon.next_action_at == DUE - timedelta(days=8, hours=72)
    event = AuditEvent.objects.for_object(policy).get()
    assert event.changes["reminder_cursors_moved"] == [None, 1]
    for hours in (168, 72):
        with time_machine.travel(DUE - timedelta(hours=hours, minutes=-1), tick=False):
            sweep()
    assert [e.step.rsplit(":", 1)[1] for e in OutboundEmail.objects.filter(
        obligation=duty).order_by("id")] == ["before-168h", "before-72h"]


def test_a_policy_that_drops_steps_points_the_cursor_at_the_next_one_left(manager,
                                                                         provider_a):
    with time_machine.travel(DUE - timedelta(days=10), tick=False):
        duty = factories.ObligationFactory(provider=provider_a, due_at=DUE,
                                           original_due_at=DUE)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
        cursor = Obligation.objects.get(pk=duty.pk).next_action_at
        assert cursor < DUE - timedelta(hours=4)
        save(manager, note="Fewer reminders.",
             reminder_offsets_hours={**DEFAULT_REMINDER_OFFSETS_HOURS,
                                     duty.kind: [4]})

    assert Obligation.objects.get(pk=duty.pk).next_action_at == DUE - timedelta(hours=4)
    with time_machine.travel(cursor + timedelta(minutes=1), tick=False):
        sweep()
    assert not OutboundEmail.objects.filter(obligation=duty).exists()


def test_a_step_a_new_policy_puts_in_the_past_is_not_sent_later(manager, provider_a,
                                                                 officer_a):
    """80 hours before a written report is due, the 72-hour reminder is replaced by a
    100-hour one, whose time has passed: the next reminder is the 24-hour one, and the
    100-hour one is never sent (it went out at the 72-hour cursor)."""
    with time_machine.travel(DUE - timedelta(days=10), tick=False):
        duty = factories.ObligationFactory(provider=provider_a,
                                           kind=ObligationKind.WRITTEN_REPORT,
                                           due_at=DUE, original_due_at=DUE)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
    with time_machine.travel(DUE - timedelta(hours=80), tick=False):
        save(manager, note="Remind earlier, once, before written reports.",
             reminder_offsets_hours={**DEFAULT_REMINDER_OFFSETS_HOURS,
                                     "written_report": [100, 24, 4]})

    duty.refresh_from_db()
    assert duty.next_action_at == DUE - timedelta(hours=24)
    for hours in (72, 24):
        with time_machine.travel(DUE - timedelta(hours=hours, minutes=-1), tick=False):
            sweep()
    assert [e.step.rsplit(":", 1)[1] for e in OutboundEmail.objects.filter(
        obligation=duty)] == ["before-24h"]


def test_a_policy_change_elsewhere_leaves_an_escalating_cursor_alone(manager, provider_a):
    """A written report due at a fraction of a second (its triage's) escalates on whole
    seconds: a policy changing only the notification's reminders leaves its cursor where
    the sweep put it, on PostgreSQL and SQLite alike."""
    due = datetime(2026, 7, 1, 12, 0, 0, 500_000, tzinfo=UTC)
    with time_machine.travel(due - timedelta(days=10), tick=False):
        duty = factories.ObligationFactory(provider=provider_a,
                                           kind=ObligationKind.WRITTEN_REPORT,
                                           due_at=due, original_due_at=due)
        reschedule_reminders(duty, DeadlinePolicy.in_force())
        duty.save()
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        sweep()
    cursor = Obligation.objects.get(pk=duty.pk).next_action_at
    assert cursor == datetime(2026, 7, 1, 16, 0, 1, tzinfo=UTC)

    with time_machine.travel(due + timedelta(hours=1), tick=False):
        policy = save(manager, note="Earlier reminders for notifications only.",
                      reminder_offsets_hours={**DEFAULT_REMINDER_OFFSETS_HOURS,
                                              "notification": [16, 8, 2]})

    moved = AuditEvent.objects.for_object(policy).get().changes["reminder_cursors_moved"]
    assert (Obligation.objects.get(pk=duty.pk).next_action_at, moved) == (cursor, [None, 0])
