"""On SQLite (`make run`'s default), text searches (`icontains`: the incident list's `q=`,
the register's, the People page's) fold every letter's case, as on PostgreSQL; SQLite's own
LIKE folds ASCII letters alone."""

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper


@pytest.fixture
def sqlite(django_db_blocker):
    """A connection of Django's SQLite backend to a database in memory, whatever database
    the suite runs on."""
    with django_db_blocker.unblock():
        wrapper = DatabaseWrapper({"NAME": ":memory:", "ENGINE": "django.db.backends.sqlite3",
                                   "OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0,
                                   "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True,
                                   "ATOMIC_REQUESTS": False, "TEST": {}})
        wrapper.ensure_connection()
        yield wrapper.connection
        wrapper.close()


def like(sqlite, value, pattern):
    return sqlite.execute("SELECT ? LIKE ? ESCAPE '\\'", [value, pattern]).fetchone()[0]


@pytest.mark.parametrize("value, pattern", [
    ("José Müller", "%MÜLLER%"),
    ("ZÄHLER ÜBERTRÄGT", "%überträgt%"),
    ("Ελληνικά", "%ΕΛΛΗΝΙΚΆ%"),
    ("Seal broken", "%SEAL%"),
])
def test_a_search_finds_text_in_any_case(sqlite, value, pattern):
    assert like(sqlite, value, pattern) == 1


@pytest.mark.parametrize("value, pattern, expected", [
    ("100% sure", "%100\\%%", 1),
    ("100 sure", "%100\\%%", 0),
    ("a_b", "%a\\_b%", 1),
    ("axb", "%a\\_b%", 0),
    ("axb", "a_b", 1),
    ("line one\nline two", "%one%two%", 1),
    ("Müller", "Mül", 0),
])
def test_the_pattern_keeps_its_meaning(sqlite, value, pattern, expected):
    assert like(sqlite, value, pattern) == expected


def test_null_matches_nothing(sqlite):
    assert sqlite.execute("SELECT NULL LIKE '%a%'").fetchone()[0] is None
