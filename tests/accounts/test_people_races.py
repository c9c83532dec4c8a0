"""Two managing people at once, on PostgreSQL: each change sees the other's."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Invitation
from accounts.services import accept_invitation, invite_user, revoke_invitation
from accounts.services.people import change_role, deactivate_user
from compliance.models import AuditEvent, User
from tests import factories
from tests.concurrency import meet_at, postgresql, rendezvous, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def _errors(results):
    return [repr(exc) for _, exc in results if exc is not None]


def test_two_officers_deactivating_each_other_at_once_do_not_both_succeed(officer_a,
                                                                          provider_a):
    """Each locks both accounts and reads itself again: the second finds its own account
    closed and is refused; the provider keeps an officer."""
    other = factories.OfficerFactory(username="officer_a2", provider=provider_a)

    with rendezvous("accounts.services.people.end_sessions"):
        results = run_together(
            lambda: deactivate_user(actor=officer_a, user=other, reason="Left the company."),
            lambda: deactivate_user(actor=other, user=officer_a, reason="Left the company."))

    active = set(User.objects.filter(pk__in=[officer_a.pk, other.pk], is_active=True)
                 .values_list("username", flat=True))
    assert len(active) == 1, (active, _errors(results))
    assert [type(exc).__name__ for _, exc in results if exc] == ["PermissionDenied"]
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1


def test_an_invitation_accepted_while_its_inviter_is_deactivated_is_not_also_withdrawn(
        officer_a, manager):
    """The acceptance has locked the invitation and found its inviter still active; the
    deactivation lists the inviter's pending invitations, then waits for the invitation's
    row: it withdraws only what is still pending once the acceptance has committed."""
    invitation, link = invite_user(actor=officer_a, email="nina@alpha.example",
                                   role="provider_viewer", provider_id=officer_a.provider_id)
    secret = link.rstrip("/").rsplit("/", 1)[-1].split("-", 1)[1]
    with rendezvous("accounts.services.invitations.create_user",
                    "accounts.services.people._withdraw_invitations_beyond"):
        results = run_together(
            lambda: accept_invitation(pk=invitation.pk, secret=secret, username="nina",
                                      password="A long passphrase 2026!"),
            lambda: deactivate_user(actor=manager, user=officer_a, reason="Left."))

    assert _errors(results) == []
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.revoked_at is None
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.changes["invitations_withdrawn"] == [None, 0]


def test_a_role_given_by_a_request_read_before_its_manager_moved_to_a_provider_is_refused(
        manager, officer_a, provider_a):
    """The manager's page for officer_a is open; a colleague moves the manager to provider
    A (every USPS power gone). The page is then sent, making officer_a a USPS manager: the
    role given is judged by what the manager is now."""
    from accounts.services.people import change_role

    stale = User.objects.get(pk=manager.pk)  # the request's user, read before the move
    colleague = factories.ManagerFactory(username="colleague_manager")
    with factories.committed():
        change_role(actor=colleague, user=manager, role="provider_officer",
                    provider_id=provider_a.pk, reason="Joined Alpha Postage.")

    with pytest.raises(PermissionDenied):
        change_role(actor=stale, user=officer_a, role="usps_manager", provider_id=None,
                    reason="", shown=("provider_officer", provider_a.pk))
    officer_a.refresh_from_db()
    assert officer_a.role == "provider_officer"


# Withdrawing an invitation reads its author first: closing or demoting them locks their
# account, then withdraws their invitations.

def _db_errors(results):
    return [repr(exc) for _, exc in results
            if exc is not None and not isinstance(exc, PermissionDenied)]


@pytest.mark.parametrize(("change", "meets_at", "after"), [
    ("close", "end_sessions", (False, "provider_officer")),
    ("demote", "_withdraw_invitations_beyond", (True, "provider_viewer")),
])
def test_an_officer_withdrawing_an_invitation_while_their_account_changes_waits(
        change, meets_at, after, officer_a, provider_a, manager):
    """Closing or demoting the officer locks their row, then withdraws the invitations they
    may no longer send; the officer's withdrawal reads its author first: it waits, and is
    refused (no deadlock). Either way the invitation is withdrawn."""
    invitation, _ = invite_user(actor=officer_a, email="nina@alpha.example",
                                role="provider_officer", provider_id=provider_a.pk)
    stale = User.objects.get(pk=officer_a.pk)
    changing = {
        "close": lambda: deactivate_user(actor=manager, user=officer_a, reason="Left."),
        "demote": lambda: change_role(actor=manager, user=officer_a, role="provider_viewer",
                                      provider_id=provider_a.pk),
    }[change]

    with meet_at(("accounts.services.invitations.hold_actor", 1),
                 (f"accounts.services.people.{meets_at}", 1)):
        results = run_together(
            lambda: revoke_invitation(actor=stale, invitation=invitation), changing)

    assert _db_errors(results) == []
    officer_a.refresh_from_db()
    assert (officer_a.is_active, officer_a.role) == after
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
