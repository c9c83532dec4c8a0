"""What the compliance app learns of cases (incidents) without knowing the app that owns
them: that app registers a case source when it is ready (`register_case_source`), as the
apps register their labels. The compliance record counts open cases through it, and a
proceeding freezes the cases it cites through it."""

from django.core.exceptions import ValidationError


class NoCases:
    """The source in force until one is registered: no case exists."""

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
