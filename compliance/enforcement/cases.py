"""What the compliance app learns of cases (incidents) without knowing the app that owns
them: that app registers a case source when it is ready (`register_case_source`), as the
apps register their labels. The compliance record counts open cases through it, a
proceeding freezes the cases it cites through it, and a write of a case's duty locks the
case through it first.

Locking: the incidents app locks a case's row, then writes its duties (an assignment, a
filing), and a write of a duty that moves the case's clock updates the case's row too (by
trigger). So every write of a duty of a case locks the case first: one order, no
deadlock."""

from django.core.exceptions import ValidationError


class NoCases:
    """The source in force until one is registered: no case exists."""

    # The model of cases (its table), for statements that lock a case beside its duty.
    model = None

    def lock(self, case_id):
        """Lock the row of case `case_id` (None: a duty of no case) until the transaction
        ends."""

    def evidence(self, provider_id, case_ids):
        """[{"id", "reference", ...}] of the provider's filed cases `case_ids`, as they are
        now, with the receipts of their versions; ValidationError on `incidents` for an id
        that is no filed case of this provider."""
        if case_ids:
            raise ValidationError({"incidents": ["No filed case of this provider has these ids."]})
        return []

    def open_cases(self, provider_id, at):
        """{"count", "age_days": {"median", "max"}} of the provider's cases filed and not
        closed at `at`, by aggregate queries."""
        return {"count": 0, "age_days": {"median": None, "max": None}}

    def choices(self, provider_id):
        """[(id, label)] of the provider's filed cases, newest first, to cite."""
        return []

    def open_cases_path(self, provider_id, at):
        """Where the list of those open cases is read, or None."""
        return None


_source = NoCases()


def register_case_source(source):
    global _source
    _source = source


def case_source():
    return _source
