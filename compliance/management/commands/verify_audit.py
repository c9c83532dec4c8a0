import argparse

from django.core.management.base import BaseCommand, CommandError

from compliance.services.chain import verify_chain

# The most events read at once: memory stays flat, and the database takes the number.
MAX_CHUNK = 100_000


def _positive(value):
    """A whole number of events, 1 to MAX_CHUNK (a usage error otherwise, not a
    traceback)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_CHUNK:
        raise argparse.ArgumentTypeError(
            f"give a whole number of events, 1 to {MAX_CHUNK:,}, not {value!r}")
    return number


class Command(BaseCommand):
    help = ("Walk the audit chain from its first event and name the first event that does "
            "not verify (exit status 1), or print how many verified and the last hash.")

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=_positive, default=2000,
                            help="Events read per query (memory stays flat).")

    def handle(self, *args, chunk_size, **options):
        report = verify_chain(chunk_size=chunk_size)
        if not report.ok:
            raise CommandError(
                f"Audit event {report.broken_event_id} (position {report.broken_sequence}) "
                f"{report.problem}. {report.checked} event(s) before it verified.")
        self.stdout.write(f"Audit chain verified: {report.checked} event(s); last sha256 "
                          f"{report.last_sha256}.")
