"""Seal every second-factor secret, and every link waiting in an unsent e-mail, under the
current SECRET_KEY: after changing it (the old one kept in SECRET_KEY_FALLBACKS until this
has run)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand

from accounts.secrets import reseal_all, reseal_outbox


class Command(BaseCommand):
    help = ("Seal every second-factor secret, and the links of unsent e-mails, under the "
            "current SECRET_KEY.")

    def handle(self, *args, **options):
        written = reseal_all(Authenticator.objects.order_by("pk"))
        links = reseal_outbox()
        self.stdout.write(f"Sealed the secrets of {written} authenticator(s) and the links "
                          f"of {links} unsent e-mail(s) under the current SECRET_KEY.")
