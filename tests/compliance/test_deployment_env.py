"""What an operator meets deploying with docker-compose and an .env file."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import environ
import pytest
import yaml

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def compose_config(**extra):
    exe = shutil.which("docker-compose")
    if exe is None:
        require_service("docker-compose is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("POSTGRES_PASSWORD",)}
    env.update(SECRET_KEY="x" * 50, **extra)
    result = subprocess.run([exe, "config"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


@pytest.mark.parametrize("password", ["Zm9v/YmFy+cXV4", "p@ss?word", "100%sure"])
def test_the_app_reaches_postgres_with_a_generated_password(password):
    """`openssl rand -base64 24` gives `/` and `+`: the app is given the password as the
    postgres service is, apart from the URL, which it would break."""
    services = compose_config(POSTGRES_PASSWORD=password)
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == password

    app = services["web"]["environment"]
    parsed = environ.Env.db_url_config(app["DATABASE_URL"])  # as config/settings.py reads it

    assert (parsed["HOST"], parsed["NAME"]) == ("postgres", "pes")
    assert app["DATABASE_PASSWORD"] == password


def test_var_dir_from_the_env_file_is_used(tmp_path):
    """Every variable may come from BASE_DIR/.env, VAR_DIR too (a copy of the real
    settings module in a tree of its own, with its own .env)."""
    tree = tmp_path / "tree"
    (tree / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "settings.py", tree / "config" / "settings.py")
    wanted = tmp_path / "srv-var"
    (tree / ".env").write_text(f"VAR_DIR={wanted}\nSITE_URL=https://from-dotenv.example\n")
    script = ("import runpy, sys; s = runpy.run_path(sys.argv[1]); "
              "print(s['SITE_URL']); print(s['VAR_DIR']); print(s['MEDIA_ROOT'])")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VAR_DIR", "SITE_URL", "MEDIA_ROOT", "EMAIL_URL", "CELERY_BROKER_URL",
                        "DATABASE_URL") and not k.startswith("DJANGO_")}
    run = subprocess.run([sys.executable, "-c", script, str(tree / "config" / "settings.py")],
                         env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    site_url, var_dir, media_root = run.stdout.split()

    assert site_url == "https://from-dotenv.example"
    assert (var_dir, media_root) == (str(wanted), str(wanted / "media"))
