"""Settings of the benchmark server: the real settings, served plainly over HTTP on the
loopback, with the hand-tuned ceiling view beside the project's URLs and API rates out of
reach of the benchmark's own requests."""

import warnings

from config.settings import *  # noqa: F403

# Static files are served from the apps' folders (no collectstatic on a benchmark run).
warnings.filterwarnings("ignore", message="No directory at")

ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
API_RATES = {"token": "1000000/minute", "address": "1000000/minute"}
MFA_REQUIRED_ROLES = []
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MIDDLEWARE = ["benchmarks.worker.WorkerHeader", *MIDDLEWARE]  # noqa: F405
