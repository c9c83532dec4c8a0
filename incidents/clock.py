"""The case clock: three times of a case kept on its row by the database, from what is
still owed on it (its open or missed obligations, until closed), so that lists filter and
sort on them through an index instead of looking through every case's obligations:

- `owed_due_at`: the earliest due time of the provider's duties still owed (USPS's own
  targets are not the provider's duties). A case is overdue when it has passed.
- `next_due_at`: the earliest due time of anything still owed that USPS sees (a draft's
  duty is the provider's alone), a provider's duty or USPS's own target.
- `waiting_since`: since when the case waits on USPS, the earliest opening of a USPS
  target still owed.

Triggers on the obligations table (PostgreSQL and SQLite alike) recompute the three for
the case whose obligation was written, in the same transaction, whichever code wrote it.
"""

from compliance.models.obligations import OUTSTANDING_STATES, PROVIDER_KINDS, USPS_KINDS
from incidents import triggers


def _in(values):
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _statements(closing=True):
    """(RECOMPUTE, PostgreSQL triggers, SQLite triggers). A duty is owed while open or
    missed and not closed (`compliance.models.obligations.OWED`); `closing=False` writes
    them as they were before obligations could be closed (no `closed_at` column yet)."""
    owed = f"o.incident_id = incidents_incident.id AND o.state IN {_in(OUTSTANDING_STATES)}"
    if closing:
        owed += " AND o.closed_at IS NULL"
    recompute = f"""
UPDATE incidents_incident SET
  owed_due_at = (SELECT min(o.due_at) FROM compliance_obligation o
                 WHERE {owed} AND o.kind IN {_in(PROVIDER_KINDS)}),
  next_due_at = (SELECT min(o.due_at) FROM compliance_obligation o
                 WHERE {owed} AND o.usps_visible),
  waiting_since = (SELECT min(o.created_at) FROM compliance_obligation o
                   WHERE {owed} AND o.usps_visible AND o.kind IN {_in(USPS_KINDS)})
"""
    # An update that could move a clock: whether the obligation is owed, when it is due,
    # whose it is, what it is, who sees it, since when.
    columns = ("due_at", "incident_id", "kind", "usps_visible", "created_at",
               *(("closed_at",) if closing else ()))
    changed = (f"(OLD.state IN {_in(OUTSTANDING_STATES)}) {{ne}} "
               f"(NEW.state IN {_in(OUTSTANDING_STATES)}) OR "
               + " OR ".join(f"OLD.{column} {{ne}} NEW.{column}" for column in columns))
    postgresql = [
        f"""
CREATE OR REPLACE FUNCTION incident_case_clock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.incident_id IS NOT NULL THEN
    {recompute} WHERE id = OLD.incident_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.incident_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.incident_id IS DISTINCT FROM OLD.incident_id) THEN
    {recompute} WHERE id = NEW.incident_id;
  END IF;
  RETURN NULL;
END $$""",
        "CREATE TRIGGER obligation_case_clock_insert AFTER INSERT ON compliance_obligation "
        "FOR EACH ROW WHEN (NEW.incident_id IS NOT NULL) EXECUTE FUNCTION "
        "incident_case_clock()",
        "CREATE TRIGGER obligation_case_clock_update AFTER UPDATE ON compliance_obligation "
        f"FOR EACH ROW WHEN ({changed.format(ne='IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION incident_case_clock()",
        "CREATE TRIGGER obligation_case_clock_delete AFTER DELETE ON compliance_obligation "
        "FOR EACH ROW WHEN (OLD.incident_id IS NOT NULL) EXECUTE FUNCTION "
        "incident_case_clock()",
    ]
    sqlite = [
        "CREATE TRIGGER obligation_case_clock_insert AFTER INSERT ON compliance_obligation "
        f"WHEN NEW.incident_id IS NOT NULL BEGIN {recompute} WHERE id = NEW.incident_id; END",
        "CREATE TRIGGER obligation_case_clock_update AFTER UPDATE ON compliance_obligation "
        f"WHEN {changed.format(ne='IS NOT')} BEGIN "
        f"{recompute} WHERE id = OLD.incident_id; {recompute} WHERE id = NEW.incident_id; END",
        "CREATE TRIGGER obligation_case_clock_delete AFTER DELETE ON compliance_obligation "
        f"WHEN OLD.incident_id IS NOT NULL BEGIN {recompute} WHERE id = OLD.incident_id; END",
    ]
    return recompute, postgresql, sqlite


RECOMPUTE, POSTGRESQL, SQLITE = _statements()

DROP_POSTGRESQL = [
    *(f"DROP TRIGGER IF EXISTS obligation_case_clock_{op} ON compliance_obligation"
      for op in ("insert", "update", "delete")),
    "DROP FUNCTION IF EXISTS incident_case_clock()",
]

DROP_SQLITE = [f"DROP TRIGGER IF EXISTS obligation_case_clock_{op}"
               for op in ("insert", "update", "delete")]


def install(schema_editor, closing=True):
    """Create the triggers on this database and set every case's clock (`closing`: see
    `_statements`)."""
    recompute, postgresql, sqlite = _statements(closing)
    triggers.install(schema_editor, {"postgresql": postgresql, "sqlite": sqlite}, recompute)


def uninstall(schema_editor):
    triggers.uninstall(schema_editor, {"postgresql": DROP_POSTGRESQL, "sqlite": DROP_SQLITE})


def recompute_all(cursor):
    """Set every case's clock from its obligations (after writes that bypassed the
    triggers, such as a bulk load with triggers off)."""
    cursor.execute(RECOMPUTE)
