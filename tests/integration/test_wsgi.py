"""A server process is ready for its first request when it has loaded the application."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_application_reads_the_urls_and_the_views_they_import():
    script = ("import sys, config.wsgi; "
              "print('config.urls' in sys.modules, 'reports.casefile.build' in sys.modules)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
