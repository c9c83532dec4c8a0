"""Checks of the settings run at start (every management command, `migrate` before the
web app starts in production): a setting that would quietly weaken the product stops it."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def second_factor_roles(app_configs, **kwargs):
    """MFA_REQUIRED_ROLES names roles there are: a misspelt one would let that role sign
    in with a password alone."""
    from .models import Role

    unknown = [role for role in settings.MFA_REQUIRED_ROLES if role not in Role.values]
    if not unknown:
        return []
    return [Error(f"MFA_REQUIRED_ROLES names no such role: {', '.join(unknown)}.",
                  hint=f"Name some of: {', '.join(Role.values)}; or leave it empty to "
                       "require no second factor.", id="compliance.E001")]
