import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from compliance.management.commands.seed_demo import USERS
from compliance.models import User

# Published in the README for `make run` only: anyone may add it to an authenticator app.
DEMO_TOTP_SECRET = "PESCASESDEMOTOTPSECRETFORMAKERUN"
PERIOD = 30


def demo_code(at=None):
    """The code the demo authenticator shows at time `at` (now by default)."""
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(at or time.time()) // PERIOD))


class Command(BaseCommand):
    help = ("Demo only (DEBUG): give the demo sign-ins the published demo authenticator and "
            "print its current code; with --follow, print each new code as it comes.")

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true")

    def handle(self, *args, follow=False, **options):
        if not settings.DEBUG:
            raise CommandError("The demo authenticator is for `make run` (DEBUG=true) only.")
        usernames = [username for username, *_ in USERS]
        for user in User.objects.filter(username__in=usernames):
            if not Authenticator.objects.filter(user=user,
                                                type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
        self.stdout.write(f"Demo second factor: authenticator secret {DEMO_TOTP_SECRET}")
        self.stdout.write("After the password, every demo sign-in asks for the newest code "
                          "below. A code signs each person in once: to sign the same person "
                          "in again, wait for the next one.")
        while True:
            now = time.time()
            left = PERIOD - int(now) % PERIOD
            self.stdout.write(f"Demo sign-in code: {demo_code(now)} (for {left} s more)")
            self.stdout.flush()
            if not follow:
                return
            time.sleep(left)
