"""README, Accounts: "An address that has an account there already is not invited again".
The check read the accounts before it locked the address's pending invitations: an
acceptance of the pending link committed in between made the account and left the new
invitation pending (the acceptance spent only the links there were), and accepting that
one made the same person a second account at the same provider."""

import threading
from unittest import mock

import pytest

from accounts.services import invitations
from accounts.services.invitations import accept_invitation, invite_user
from compliance.models import User
from tests.concurrency import postgresql, run_together  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]

PASSWORD = "a long and unusual passphrase 42"


def test_an_invitation_sent_as_the_pending_one_is_accepted_makes_no_second_account(
        officer_a, manager, provider_a):
    email = "newcomer@alpha.example"
    first, link = invite_user(actor=officer_a, email=email, role="provider_viewer",
                              provider_id=provider_a.pk)
    secret = link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    checked, accepted = threading.Event(), threading.Event()
    original = invitations._refuse_an_account_there

    def check_then_wait(*args, **kwargs):
        original(*args, **kwargs)
        checked.set()
        accepted.wait(2)  # an acceptance held up by this invitation's locks comes after

    def invite_again():
        with mock.patch.object(invitations, "_refuse_an_account_there", check_then_wait):
            return invite_user(actor=manager, email=email, role="provider_officer",
                               provider_id=provider_a.pk)

    def accept():
        assert checked.wait(10)
        try:
            return accept_invitation(pk=first.pk, secret=secret, username="newcomer",
                                     password=PASSWORD)
        finally:
            accepted.set()

    results = run_together(invite_again, accept)

    if results[0][1] is None:  # the manager's invitation went out: its link is used
        second, second_link = results[0][0]
        second_secret = second_link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
        accept_invitation(pk=second.pk, secret=second_secret, username="newcomer2",
                          password=PASSWORD)
    assert User.objects.filter(email__iexact=email, provider=provider_a).count() == 1, list(
        User.objects.filter(email__iexact=email).values_list("username", "role"))
    # One of the two was refused: the new invitation (an account there now), or the
    # acceptance (its link withdrawn by the new one).
    assert results[0][1] is not None or results[1][1] is not None, results
