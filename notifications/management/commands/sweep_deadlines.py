from django.core.management.base import BaseCommand

from notifications.sweep import sweep


class Command(BaseCommand):
    help = "Run one pass of the deadline sweep now and print what it did."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(f"Sweep done: {result}.")
