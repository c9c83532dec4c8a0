"""The e-mail preferences page and `update_email_preference`."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services.people import deactivate_user
from compliance.deadlines import ESCALATION, PROVIDER
from compliance.models import AuditEvent, ObligationKind, User
from compliance.models.obligations import PROVIDER_KINDS
from notifications.models import CalendarFeed, EmailPreference
from notifications.preferences import update_email_preference
from notifications.recipients import wants

PAGE = "/notifications/preferences/"
ALL_KINDS = list(ObligationKind.values)
PROVIDER_KIND_VALUES = [kind.value for kind in PROVIDER_KINDS]


def take(*kinds, digest=False):
    data = {"action": "preferences", "kinds": list(kinds)}
    if digest:
        data["daily_digest"] = "on"
    return data


def checkbox(content, kind):
    """The <input> tag of the checkbox for `kind`, as rendered."""
    html = content.decode()
    start = html.index(f'value="{kind}"')
    return html[html.rindex("<input", 0, start):html.index(">", start) + 1]


# --- The page ---


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_every_kind_ticked_by_default(client, officer_a, django_assert_max_num_queries):
    client.force_login(officer_a)

    with django_assert_max_num_queries(5):
        response = client.get(PAGE)

    assert response.status_code == 200
    for kind in PROVIDER_KIND_VALUES:
        assert "checked" in checkbox(response.content, kind)


def test_it_never_offers_provider_staff_usps_targets(client, officer_a, reviewer):
    client.force_login(officer_a)
    officer_page = client.get(PAGE).content.decode()
    client.force_login(reviewer)
    reviewer_page = client.get(PAGE).content.decode()

    assert "usps_triage" not in officer_page and "USPS target" not in officer_page
    assert 'value="usps_triage"' in reviewer_page


def test_it_refuses_provider_staff_muting_a_usps_target(officer_a):
    with pytest.raises(ValidationError):
        update_email_preference(actor=officer_a, muted_kinds=[ObligationKind.USPS_TRIAGE],
                                daily_digest=False)

    assert not EmailPreference.objects.filter(user=officer_a).exists()


def test_it_shows_the_notification_reminders_locked_for_provider_staff(client, viewer_a):
    client.force_login(viewer_a)

    response = client.get(PAGE)

    tag = checkbox(response.content, ObligationKind.NOTIFICATION)
    assert "disabled" in tag and "checked" in tag
    assert "disabled" not in checkbox(response.content, ObligationKind.WRITTEN_REPORT)
    assert b"cannot be turned off for provider staff" in response.content
    assert b"cannot be muted" in response.content  # escalations
    assert b"daily_digest" not in response.content


def test_it_offers_the_daily_digest_to_reviewers_only(client, reviewer, manager):
    client.force_login(reviewer)
    assert b'name="daily_digest"' in client.get(PAGE).content

    client.force_login(manager)
    assert b'name="daily_digest"' not in client.get(PAGE).content


def test_it_lets_reviewers_mute_the_notification_kind(client, reviewer):
    client.force_login(reviewer)

    response = client.get(PAGE)

    assert "disabled" not in checkbox(response.content, ObligationKind.NOTIFICATION)


def test_it_saves_the_unticked_kinds_as_muted(client, officer_a):
    client.force_login(officer_a)

    response = client.post(PAGE, take(ObligationKind.NOTIFICATION, ObligationKind.FINAL_SUMMARY))

    assert response.status_code == 302
    preference = EmailPreference.objects.get(user=officer_a)
    assert preference.muted_kinds == sorted([
        ObligationKind.PROCEDURES, ObligationKind.STATUS_REPORT, ObligationKind.WRITTEN_REPORT,
        ObligationKind.PROCEEDING_CORRECTION, ObligationKind.PROCEEDING_DEFENSE,
        ObligationKind.PROCEEDING_APPEAL])
    assert preference.daily_digest is False
    page = client.get(PAGE)
    assert "checked" not in checkbox(page.content, ObligationKind.WRITTEN_REPORT)
    assert "checked" in checkbox(page.content, ObligationKind.FINAL_SUMMARY)


def test_it_keeps_notification_reminders_when_provider_staff_untick_everything(client, officer_a):
    client.force_login(officer_a)

    # The disabled checkbox is not submitted by a browser; a forged form is no different.
    client.post(PAGE, take())

    preference = EmailPreference.objects.get(user=officer_a)
    assert ObligationKind.NOTIFICATION not in preference.muted_kinds
    assert len(preference.muted_kinds) == len(PROVIDER_KIND_VALUES) - 1
    assert wants(officer_a, ObligationKind.NOTIFICATION, PROVIDER, preference)
    assert wants(officer_a, ObligationKind.WRITTEN_REPORT, ESCALATION, preference)
    assert not wants(officer_a, ObligationKind.WRITTEN_REPORT, PROVIDER, preference)


def test_it_saves_a_reviewers_daily_digest(client, reviewer):
    client.force_login(reviewer)

    client.post(PAGE, take(*ALL_KINDS, digest=True))

    assert EmailPreference.objects.get(user=reviewer).daily_digest is True


def test_it_ignores_a_forged_digest_field_from_provider_staff(client, officer_a):
    client.force_login(officer_a)

    client.post(PAGE, take(*PROVIDER_KIND_VALUES, digest=True))

    assert EmailPreference.objects.get(user=officer_a).daily_digest is False


def test_it_rejects_an_unknown_kind_on_the_page(client, officer_a):
    client.force_login(officer_a)

    response = client.post(PAGE, take("bribes"))

    assert response.status_code == 200
    assert b"not one of the available choices" in response.content
    assert not EmailPreference.objects.filter(user=officer_a).exists()


def test_it_refuses_an_unknown_action(client, officer_a):
    client.force_login(officer_a)

    assert client.post(PAGE, {"action": "drop_tables"}).status_code == 400


# --- The service ---


def test_it_refuses_provider_staff_muting_notification_reminders(officer_a):
    with pytest.raises(ValidationError, match="cannot mute"):
        update_email_preference(actor=officer_a, muted_kinds=[ObligationKind.NOTIFICATION],
                                daily_digest=False)

    assert not EmailPreference.objects.filter(user=officer_a).exists()


def test_it_refuses_the_digest_to_anyone_but_a_reviewer(officer_a, manager):
    for user in (officer_a, manager):
        with pytest.raises(ValidationError, match="Only USPS reviewers"):
            update_email_preference(actor=user, muted_kinds=[], daily_digest=True)


def test_it_refuses_unknown_kinds(reviewer):
    with pytest.raises(ValidationError, match="Unknown obligation kind"):
        update_email_preference(actor=reviewer, muted_kinds=["nonsense"], daily_digest=False)


def test_it_records_an_audit_event_on_the_user(reviewer):
    update_email_preference(actor=reviewer, muted_kinds=[ObligationKind.PROCEDURES],
                            daily_digest=True)

    event = AuditEvent.objects.for_object(reviewer).get(action="email_preference.updated")
    assert event.actor == reviewer
    assert event.changes == {"muted_kinds": [[], ["procedures"]],
                             "daily_digest": [False, True]}


def test_it_records_nothing_when_nothing_changed(officer_a):
    update_email_preference(actor=officer_a, muted_kinds=["procedures"], daily_digest=False)
    update_email_preference(actor=officer_a, muted_kinds=["procedures"], daily_digest=False)

    assert AuditEvent.objects.filter(action="email_preference.updated").count() == 1
    assert EmailPreference.objects.filter(user=officer_a).count() == 1


def test_it_lets_a_reviewer_mute_kinds_of_escalation(reviewer):
    preference = update_email_preference(actor=reviewer, muted_kinds=["status_report"],
                                         daily_digest=False)

    assert not wants(reviewer, ObligationKind.STATUS_REPORT, ESCALATION, preference)
    assert wants(reviewer, ObligationKind.NOTIFICATION, ESCALATION, preference)


def test_a_closed_account_s_stale_request_does_not_change_its_email_preference(
        manager, reviewer):
    """A request read before a manager closed the account saves e-mail preferences: every
    write reads its author again (README, `hold_actor`) and refuses a closed account."""
    stale = User.objects.get(pk=reviewer.pk)
    deactivate_user(actor=manager, user=reviewer)

    with pytest.raises(PermissionDenied):
        update_email_preference(actor=stale, muted_kinds=[ObligationKind.USPS_TRIAGE],
                                daily_digest=True)
    assert not EmailPreference.objects.filter(user=reviewer, daily_digest=True).exists()


def test_an_unknown_action_on_the_preferences_page_answers_the_page_saying_so(
        client, officer_a):
    """The page again, saying so, rather than a bare text."""
    client.force_login(officer_a)

    response = client.post("/notifications/preferences/", {"action": "nonsense"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<nav" in page and "This page has no such action: nothing was changed." in page
    assert not EmailPreference.objects.filter(user=officer_a).exists()
    assert not CalendarFeed.objects.filter(user=officer_a).exists()
