"""Operator commands with arguments out of range, and a SECRET_KEY change as the README
tells it (the former key kept until `reseal_mfa_secrets` has run, then dropped)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.services import invite_user
from notifications.models import OutboundEmail
from notifications.services import send_due_emails

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", ["99999999999999999999", "9223372036854775808"])
def test_verify_audit_refuses_a_chunk_size_no_database_takes_as_a_usage_error(size, reviewer):
    """A number past what the database's FETCH takes is a usage error, not a traceback."""
    with pytest.raises((CommandError, SystemExit)):
        call_command("verify_audit", "--chunk-size", size, stdout=StringIO(),
                     stderr=StringIO())


def test_an_invitation_queued_before_a_key_change_is_still_sent_after_it(
        manager, settings, mailoutbox):
    """The invitation link waiting in the outbox (the mail server away for a while) was
    sealed under the former key: the command seals it under the new one, and once the
    former key is dropped the e-mail still goes, with its link."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-key-" + "o" * 50, []
    _, link = invite_user(actor=manager, email="eve@usps.example", role="usps_manager")
    assert OutboundEmail.objects.filter(state="pending").count() == 1  # not sent yet

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "n" * 50, [
        "old-key-" + "o" * 50]
    call_command("reseal_mfa_secrets", stdout=StringIO())
    settings.SECRET_KEY_FALLBACKS = []  # the README's last step

    send_due_emails()

    email = OutboundEmail.objects.get()
    assert email.state == "sent", (email.state, email.last_error)
    assert [m for m in mailoutbox if link in m.body]
