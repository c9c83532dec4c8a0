"""Settings for the test suite: the real settings, minus what only slows tests down."""

import os

# The suite runs with DEBUG off, as a deployment does, so it brings a key of its own (the
# settings refuse the development key then); subprocesses of the suite inherit it.
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-never-deployed-" + "x" * 32)

from .settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Tasks run in-process; the Celery round-trip test switches this off to use a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Threads of the live server and the in-process Celery worker close their connections
# after each request or task, so the test database can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The suite signs people in with `force_login`: the second factor is required only by the
# tests of it (`override_settings(MFA_REQUIRED_ROLES=[...])`).
MFA_REQUIRED_ROLES = []
# Sessions last as long as Django's default unless a test of the idle timeout or the
# absolute lifetime sets them, so tests that move the clock stay signed in.
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_MAX_HOURS = 14 * 24
# API rates are out of reach unless a throttling test lowers them.
API_RATES = {"token": "100000/minute", "address": "100000/minute"}
# One in-memory cache per test process, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
