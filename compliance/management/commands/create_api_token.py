from django.core.management.base import BaseCommand, CommandError

from compliance.models import User
from compliance.services import create_api_token


class Command(BaseCommand):
    help = "Print a new API token for USERNAME, alone on its line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username}.")
        _, key = create_api_token(user=user, name=name)
        self.stdout.write(key)
