import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Django reads the URLs, and with them every view and what the views import (the PDF
# renderer among them), on a process's first request: that request would wait seconds.
# Each server process reads them here, as it starts, before it takes any request.
import_module(settings.ROOT_URLCONF)
