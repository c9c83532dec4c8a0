"""Case counts kept by the database (`CaseCount`): triggers on the incidents table
(PostgreSQL and SQLite alike) move a case from the count of its old provider, status,
category and stage of triage to its new one in the transaction that changes it, whichever
code changes it.

Concurrent changes of the same provider's cases in the same state wait for each other's
commit on that count's row; other providers' do not.
"""

from incidents import triggers

UNTRIAGED = "({row}.status = 'submitted' AND {row}.triaged_at IS NULL)"
KEY = "provider_id, status, category, untriaged"


def _values(row):
    return f"{row}.provider_id, {row}.status, {row}.category, {UNTRIAGED.format(row=row)}"


def _leave(row):
    return (f"UPDATE incidents_casecount SET cases = cases - 1 WHERE ({KEY}) = "
            f"({_values(row)})")


def _join(row):
    return (f"INSERT INTO incidents_casecount ({KEY}, cases) VALUES ({_values(row)}, 1) "
            f"ON CONFLICT ({KEY}) DO UPDATE SET cases = incidents_casecount.cases + 1")


_CHANGED = " OR ".join(
    [f"OLD.{column} {{ne}} NEW.{column}" for column in ("provider_id", "status", "category")]
    + [f"{UNTRIAGED.format(row='OLD')} {{ne}} {UNTRIAGED.format(row='NEW')}"])

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION incident_case_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    {_leave('OLD')};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {_join('NEW')};
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER incident_case_count_insert AFTER INSERT ON incidents_incident "
    "FOR EACH ROW EXECUTE FUNCTION incident_case_count()",
    "CREATE TRIGGER incident_case_count_update AFTER UPDATE ON incidents_incident "
    f"FOR EACH ROW WHEN ({_CHANGED.format(ne='IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION incident_case_count()",
    "CREATE TRIGGER incident_case_count_delete AFTER DELETE ON incidents_incident "
    "FOR EACH ROW EXECUTE FUNCTION incident_case_count()",
]

DROP_POSTGRESQL = [
    *(f"DROP TRIGGER IF EXISTS incident_case_count_{op} ON incidents_incident"
      for op in ("insert", "update", "delete")),
    "DROP FUNCTION IF EXISTS incident_case_count()",
]

SQLITE = [
    "CREATE TRIGGER incident_case_count_insert AFTER INSERT ON incidents_incident "
    f"BEGIN {_join('NEW')}; END",
    "CREATE TRIGGER incident_case_count_update AFTER UPDATE ON incidents_incident "
    f"WHEN {_CHANGED.format(ne='IS NOT')} BEGIN {_leave('OLD')}; {_join('NEW')}; END",
    "CREATE TRIGGER incident_case_count_delete AFTER DELETE ON incidents_incident "
    f"BEGIN {_leave('OLD')}; END",
]

DROP_SQLITE = [f"DROP TRIGGER IF EXISTS incident_case_count_{op}"
               for op in ("insert", "update", "delete")]

RECOUNT = [
    "DELETE FROM incidents_casecount",
    f"INSERT INTO incidents_casecount ({KEY}, cases) "
    f"SELECT {_values('i')}, count(*) FROM incidents_incident i "
    "GROUP BY i.provider_id, i.status, i.category, 4",
]


def install(schema_editor):
    """Create the triggers on this database and count every case."""
    triggers.install(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE}, *RECOUNT)


def uninstall(schema_editor):
    triggers.uninstall(schema_editor, {"postgresql": DROP_POSTGRESQL, "sqlite": DROP_SQLITE})


def recount_all(cursor):
    """Count every case again (after writes that bypassed the triggers)."""
    for statement in RECOUNT:
        cursor.execute(statement)


# The list's filters a count can be read from the counts for.
COUNTED_FILTERS = ("status", "category", "provider")


def _lookups(status=None, category=None, provider=None):
    """The lookups of these filter values (any when None), on a case or on its count."""
    given = {"status": status, "category": category, "provider_id": provider}
    return {name: value for name, value in given.items() if value is not None}


def counted(user, **values):
    """How many cases the user sees with these filter values, from the counts."""
    from incidents.models import CaseCount

    return CaseCount.objects.visible_to(user).filter(**_lookups(**values)).total()


def count_of_list(user, filterset):
    """How many cases the incident list of `filterset` (valid, bound) holds for the user,
    read from the counts when its filters allow; None when the rows must be counted.
    `overdue=false` is every case less the overdue ones, which an index counts, by the
    filter set's clock (the one its rows were read by)."""
    from incidents.filters import overdue
    from incidents.models import Incident

    if not filterset.is_valid():
        return None
    used = {name: value for name, value in filterset.form.cleaned_data.items()
            if value not in (None, "")}
    if not set(used) <= {*COUNTED_FILTERS, "overdue"} or used.get("overdue") is True:
        return None
    values = {name: used[name] for name in COUNTED_FILTERS if name in used}
    total = counted(user, **values)
    if "overdue" not in used:
        return total
    late = (Incident.objects.visible_to(user).filter(**_lookups(**values))
            .filter(overdue(filterset.now)).count())
    return total - late
