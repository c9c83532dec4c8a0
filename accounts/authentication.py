"""API tokens under the same second-factor rule as sessions."""

from rest_framework import exceptions

from compliance.api.authentication import ApiTokenAuthentication

from .services.factors import lacks_required_factor


class FactorCheckedTokenAuthentication(ApiTokenAuthentication):
    """A personal token, refused while its holder's role needs a second factor they do not
    hold (a viewer made officer since, a factor reset by a manager): the API answers them
    as `SecondFactorRequiredMiddleware` answers a session."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if lacks_required_factor(user):
            raise exceptions.PermissionDenied("Enrol a second factor first, on the site.")
        return user, token
