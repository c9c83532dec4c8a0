"""Error pages that keep the site's look and navigation."""

import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from compliance.middleware import API_PREFIX

log = logging.getLogger(__name__)


def server_error(request):
    """The 500 page with the navigation; when even that cannot be drawn (the database is
    what failed), a plain page that needs nothing but the template. Under /api/, the
    JSON every API answer is."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error: the failure is logged; try again "
                                       "later."}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        log.exception("the 500 page could not be drawn with the navigation")
        return HttpResponseServerError(loader.get_template("500_plain.html").render())
