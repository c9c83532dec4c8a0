"""With production values from the environment, `check --deploy` has nothing to say."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_ROOT = Path(settings.BASE_DIR)


# Whatever the test run has in its environment must not leak into "production":
# the suite's own DJANGO_* switches, and the product's variables.
PRODUCT_VARIABLES = {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_URL",
                     "HTTPS", "SECURE_HSTS_SECONDS", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
                     "BEHIND_PROXY", "VAR_DIR"}


def production_env(tmp_path, **overrides):
    env = {key: value for key, value in os.environ.items()
           if key not in PRODUCT_VARIABLES and not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="pes.example.gov",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
    )
    env.update(overrides)
    return env


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_values(tmp_path):
    result = check_deploy(production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_it_passes_with_the_documented_database_url(tmp_path):
    result = check_deploy(production_env(tmp_path, DATABASE_URL="sqlite:////tmp/x.sqlite3"))

    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_off_it_refuses_to_start_without_a_key_of_its_own(tmp_path):
    """The development key is published in the settings: a deployment that forgot its own
    would take sessions and reset links anyone can sign. Nothing starts, not a check."""
    unset = production_env(tmp_path)
    del unset["SECRET_KEY"]
    development = "insecure-development-key-change-me"

    for env in (unset, production_env(tmp_path, SECRET_KEY=development),
                production_env(tmp_path, SECRET_KEY_FALLBACKS=f"old-key, {development}")):
        result = check_deploy(env)

        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr, result.stderr[-2000:]


def test_with_debug_off_the_schema_is_read_without_a_key(tmp_path):
    """`makemigrations --check` signs nothing: a checkout's tooling runs it as it is. A
    command that could sign (or serve) is refused all the same."""
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    checked = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                              timeout=120)

    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "No changes detected" in checked.stdout
    assert migrated.returncode != 0
    assert "SECRET_KEY is not set" in migrated.stderr


def test_with_debug_on_the_development_key_serves(tmp_path):
    env = production_env(tmp_path, DEBUG="true")
    del env["SECRET_KEY"]

    assert read_settings(env, "SECRET_KEY") == "['insecure-development-key-change-me']"


def test_it_warns_when_debug_is_on(tmp_path):
    result = check_deploy(production_env(tmp_path, DEBUG="true"))

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_a_django_warning_is_logged_once_in_development(tmp_path):
    script = ("import django, logging; django.setup(); "
              "logging.getLogger('django.request').warning('Forbidden: /somewhere/')")
    env = production_env(tmp_path, DEBUG="true")

    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    assert run.stderr.count("Forbidden: /somewhere/") == 1


def read_settings(env, *names):
    script = ("import django; django.setup(); from django.conf import settings; "
              f"print(repr([getattr(settings, name) for name in {list(names)!r}]))")
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_variable_set_empty_takes_its_default(tmp_path):
    """`NAME=` in .env, or `NAME: ${NAME:-}` in a compose file: the default, not an empty
    number the settings cannot read, an empty broker URL or HTTPS read as off."""
    empty = dict.fromkeys(("SWEEP_INTERVAL_SECONDS", "EMAIL_TIMEOUT", "ATTACHMENT_MAX_BYTES",
                           "LOGIN_FAILURE_LIMIT", "LOG_LEVEL", "HTTPS", "CELERY_BROKER_URL",
                           "EMAIL_URL", "SANE_YEARS", "SITE_URL"), "")

    assert read_settings(production_env(tmp_path, **empty), "SWEEP_INTERVAL_SECONDS",
                         "EMAIL_TIMEOUT", "SECURE_SSL_REDIRECT", "SANE_YEARS", "SITE_URL") == (
        "[30, 10, True, (1990, 2100), 'http://127.0.0.1:8000']")
    assert check_deploy(production_env(tmp_path, **empty)).returncode == 0


def test_where_empty_says_something_it_is_kept(tmp_path):
    env = production_env(tmp_path, MFA_REQUIRED_ROLES="", CSRF_TRUSTED_ORIGINS="")

    assert read_settings(env, "MFA_REQUIRED_ROLES", "CSRF_TRUSTED_ORIGINS") == "[[], []]"
    refused = check_deploy(production_env(tmp_path, SECRET_KEY=""))
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stdout + refused.stderr


def test_a_list_written_with_spaces_after_its_commas_names_each_item(tmp_path):
    """MFA_REQUIRED_ROLES="usps_manager, usps_reviewer": " usps_reviewer" would be no role,
    and reviewers would sign in with a password alone."""
    env = production_env(tmp_path, MFA_REQUIRED_ROLES="usps_manager, usps_reviewer ,",
                         ALLOWED_HOSTS="pes.example.gov, 127.0.0.1")

    assert read_settings(env, "MFA_REQUIRED_ROLES", "ALLOWED_HOSTS") == (
        "[['usps_manager', 'usps_reviewer'], ['pes.example.gov', '127.0.0.1']]")


def test_a_misspelt_second_factor_role_stops_the_start(tmp_path):
    result = check_deploy(production_env(tmp_path,
                                         MFA_REQUIRED_ROLES="usps_manager,usps_reviewers"))

    assert result.returncode != 0
    assert "compliance.E001" in result.stdout + result.stderr
    assert "usps_reviewers" in result.stdout + result.stderr
