"""Seal every second-factor secret under the current SECRET_KEY: after changing it (the
old one kept in SECRET_KEY_FALLBACKS until this has run)."""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand

from accounts.secrets import reseal_all


class Command(BaseCommand):
    help = "Seal every second-factor secret under the current SECRET_KEY."

    def handle(self, *args, **options):
        written = reseal_all(Authenticator.objects.order_by("pk"))
        self.stdout.write(f"Sealed the secrets of {written} authenticator(s) under the "
                          "current SECRET_KEY.")
