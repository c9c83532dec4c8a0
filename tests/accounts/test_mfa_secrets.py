"""Second-factor secrets are stored sealed, open under the current or a fallback key, and
are sealed again under a new key by `reseal_mfa_secrets`."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command

from accounts import secrets
from tests import factories
from tests.conftest import setting_from_environment, sign_in_with_password

pytestmark = pytest.mark.django_db

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def stored(user, kind):
    return Authenticator.objects.get(user=user, type=kind).data


def reseal():
    out = StringIO()
    call_command("reseal_mfa_secrets", stdout=out)
    return out.getvalue()


def test_it_stores_an_authenticator_apps_key_sealed(client, officer_a, mfa_on):
    factories.enrol_totp(officer_a, secret=SECRET)

    data = stored(officer_a, Authenticator.Type.TOTP)
    assert data["secret"].startswith(secrets.PREFIX)
    assert SECRET not in str(data)
    sign_in_with_password(client, "officer_a", secret=SECRET)
    assert client.get("/").status_code == 200


def test_it_stores_the_recovery_codes_seed_sealed(officer_a):
    codes = RecoveryCodes.activate(officer_a)
    seed = secrets.unseal(stored(officer_a, Authenticator.Type.RECOVERY_CODES)["seed"])

    assert stored(officer_a, Authenticator.Type.RECOVERY_CODES)["seed"].startswith(
        secrets.PREFIX)
    assert seed not in str(stored(officer_a, Authenticator.Type.RECOVERY_CODES))
    assert codes.validate_code(codes.get_unused_codes()[0])


def test_it_reads_a_key_stored_before_sealing_and_seals_it(officer_a):
    authenticator = Authenticator.objects.create(
        user=officer_a, type=Authenticator.Type.TOTP, data={"secret": SECRET})

    assert TOTP(authenticator).validate_code(factories.totp_code(SECRET))
    assert "of 1 authenticator(s)" in reseal()

    authenticator.refresh_from_db()
    assert authenticator.data["secret"].startswith(secrets.PREFIX)
    assert secrets.unseal(authenticator.data["secret"]) == SECRET


def test_it_opens_secrets_under_a_fallback_key_and_reseals_them(officer_a, settings):
    settings.SECRET_KEY = "the old key " * 4
    factories.enrol_totp(officer_a, secret=SECRET)
    sealed_before = stored(officer_a, Authenticator.Type.TOTP)["secret"]
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the new key " * 4, [
        settings.SECRET_KEY]

    assert secrets.unseal(sealed_before) == SECRET
    reseal()
    settings.SECRET_KEY_FALLBACKS = []

    sealed_after = stored(officer_a, Authenticator.Type.TOTP)["secret"]
    assert sealed_after != sealed_before
    assert secrets.unseal(sealed_after) == SECRET
    with pytest.raises(secrets.UnsealError):
        secrets.unseal(sealed_before)


def test_it_says_so_when_no_key_opens_a_secret_and_changes_nothing(officer_a, settings):
    factories.enrol_totp(officer_a, secret=SECRET)
    before = stored(officer_a, Authenticator.Type.TOTP)
    settings.SECRET_KEY = "a key that sealed nothing " * 2

    with pytest.raises(secrets.UnsealError):
        TOTP(Authenticator.objects.get(user=officer_a)).validate_code(
            factories.totp_code(SECRET))
    assert stored(officer_a, Authenticator.Type.TOTP) == before


def test_it_leaves_a_security_key_as_it_is(officer_a):
    key = Authenticator.objects.create(user=officer_a, type=Authenticator.Type.WEBAUTHN,
                                       data={"name": "YubiKey", "credential": {"id": "x"}})

    assert "of 0 authenticator(s)" in reseal()

    key.refresh_from_db()
    assert key.data == {"name": "YubiKey", "credential": {"id": "x"}}


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_secrets_stored_before(officer_a):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, sealing = [("accounts", "0001_invitations")], [("accounts",
                                                            "0002_seal_mfa_secrets")]
    MigrationExecutor(connection).migrate(before)
    authenticator = Authenticator.objects.create(
        user=officer_a, type=Authenticator.Type.TOTP, data={"secret": SECRET})

    executor = MigrationExecutor(connection)
    executor.migrate(sealing)

    authenticator.refresh_from_db()
    assert authenticator.data["secret"].startswith(secrets.PREFIX)
    assert TOTP(authenticator).validate_code(factories.totp_code(SECRET))


def test_it_reads_the_former_keys_from_the_environment(tmp_path):
    former = setting_from_environment("SECRET_KEY_FALLBACKS", tmp_path,
                                      SECRET_KEY_FALLBACKS="first-old-key,second-old-key")
    assert former == "['first-old-key', 'second-old-key']"
    # docker-compose's default: no former key at all
    assert setting_from_environment("SECRET_KEY_FALLBACKS", tmp_path,
                                    SECRET_KEY_FALLBACKS="") == "[]"


def test_a_secret_no_key_opens_is_named_and_everything_else_is_resealed(
        officer_a, officer_b, settings):
    """One factor sealed under a key dropped already: the operator is told whose, and the
    rest (later factors, links waiting in e-mails) is still sealed under the new key, so
    dropping the former key afterwards, as the README says, loses nothing more."""
    from django.core.management import CommandError

    from notifications.models import OutboundEmail
    from notifications.services import queue_email

    lost, old, new = "a key long gone " * 4, "the old key " * 5, "the new key " * 5
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = lost, []
    factories.enrol_totp(officer_a, secret=SECRET)  # read first
    settings.SECRET_KEY = old
    factories.enrol_totp(officer_b, secret=SECRET)
    queue_email(recipients=[officer_b], template="password_reset_key",
                context={"reset_url": secrets.seal("https://pes.example/reset/abc/"),
                         "reset_minutes": 60})
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, [old]
    out = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("reseal_mfa_secrets", stdout=out)

    assert "the authenticator app of officer_a" in str(refused.value)
    assert "officer_b" not in str(refused.value)
    assert "of 1 authenticator(s) and the links of 1 unsent e-mail(s)" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []  # the README's last step
    assert secrets.unseal(stored(officer_b, Authenticator.Type.TOTP)["secret"]) == SECRET
    link = OutboundEmail.objects.get(recipient=officer_b).context["reset_url"]
    assert secrets.unseal(link) == "https://pes.example/reset/abc/"
    with pytest.raises(secrets.UnsealError):  # left as it was, for a key given later
        secrets.unseal(stored(officer_a, Authenticator.Type.TOTP)["secret"])
