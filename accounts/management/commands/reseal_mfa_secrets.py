"""Seal every second-factor secret, and every link waiting in an unsent e-mail, under the
current SECRET_KEY: after changing it (the old one kept in SECRET_KEY_FALLBACKS until this
has run)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError

from accounts.secrets import reseal_all, reseal_outbox

KINDS = {Authenticator.Type.TOTP: "authenticator app",
         Authenticator.Type.RECOVERY_CODES: "recovery codes",
         Authenticator.Type.WEBAUTHN: "security key"}


class Command(BaseCommand):
    help = ("Seal every second-factor secret, and the links of unsent e-mails, under the "
            "current SECRET_KEY.")

    def handle(self, *args, **options):
        written, factors = reseal_all(Authenticator.objects.select_related("user")
                                      .order_by("pk"))
        links, emails = reseal_outbox()
        self.stdout.write(f"Sealed the secrets of {written} authenticator(s) and the links "
                          f"of {links} unsent e-mail(s) under the current SECRET_KEY.")
        if factors or emails:
            # Everything else was resealed; these open under no key given.
            unopened = [f"the {KINDS.get(factor.type, factor.type)} of {factor.user} "
                        f"(authenticator {factor.pk})" for factor in factors]
            unopened += [f"e-mail {email.pk} to {email.to_address}" for email in emails]
            raise CommandError(
                "Opened under neither SECRET_KEY nor any of SECRET_KEY_FALLBACKS, so left "
                f"as they are: {'; '.join(unopened)}. Give the key they were sealed under "
                "in SECRET_KEY_FALLBACKS and run this again; or else a USPS manager resets "
                "those people's second factor, and the e-mails' links are asked for again.")
