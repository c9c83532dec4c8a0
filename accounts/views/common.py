from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def manages_people(view):
    """USPS managers and provider officers only; anyone else is refused with 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_usps_manager or request.user.is_provider_officer):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def usps_manager_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_usps_manager:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def add_errors(form, exc):
    """Put a service's ValidationError on the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
