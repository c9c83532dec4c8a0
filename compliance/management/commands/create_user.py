import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from compliance.models import Provider, Role
from compliance.services import create_user

# The argument each of the user's fields comes from, to name it in a refusal.
ARGUMENTS = {"username": "username", "role": "--role", "provider": "--provider",
             "email": "--email", "timezone": "--timezone",
             "password": "the password (NEW_USER_PASSWORD)"}


def _said(refusal):
    """A refusal's messages, each after the argument it is about."""
    if not hasattr(refusal, "error_dict"):
        return "; ".join(refusal.messages)
    return "; ".join(
        f"{ARGUMENTS[field]}: {message}" if field in ARGUMENTS else message
        for field, errors in refusal.error_dict.items()
        for message in ValidationError(errors).messages)


class Command(BaseCommand):
    help = (
        "Make a user. The password comes from NEW_USER_PASSWORD or is asked for. "
        "Provider roles need --provider; USPS roles must not have one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--provider", type=int, help="Provider id (provider roles only).")
        parser.add_argument("--email", default="")
        parser.add_argument("--timezone", default="America/New_York")

    def handle(self, *args, username, role, provider, email, timezone, **options):
        provider_obj = None
        if provider is not None:
            provider_obj = Provider.objects.filter(pk=provider).first()
            if provider_obj is None:
                raise CommandError(f"No provider with id {provider}.")
        password = os.environ.get("NEW_USER_PASSWORD")
        if not password:
            if not options.get("interactive", True) or not os.isatty(0):
                raise CommandError("Set NEW_USER_PASSWORD, or run in a terminal to be asked.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = create_user(username=username, role=role, provider=provider_obj,
                               email=email, timezone_name=timezone, password=password)
        except ValidationError as exc:
            raise CommandError(_said(exc)) from exc
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}).")
