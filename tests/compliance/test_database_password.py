"""DATABASE_PASSWORD is taken as it is, a `$` at its start included."""

import pytest

from tests.conftest import setting_from_environment


@pytest.mark.parametrize("password", ["$ecret-Zm9v/YmFy", "$POSTGRES_USER"])
def test_a_database_password_starting_with_a_dollar_is_taken_as_it_is(tmp_path, password):
    """The postgres service takes POSTGRES_PASSWORD literally; the app is given the same
    value as DATABASE_PASSWORD ("the database password as it is", README)."""
    printed = setting_from_environment(
        'DATABASES["default"]["PASSWORD"]', tmp_path,
        DATABASE_URL="postgres://pes@postgres:5432/pes", DATABASE_PASSWORD=password,
        POSTGRES_USER="pes")
    assert printed == repr(password)
