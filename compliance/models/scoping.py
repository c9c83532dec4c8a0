from django.db import models


class ProviderScopedQuerySet(models.QuerySet):
    """The one door for rows that belong to a provider (through a `provider` foreign key)."""

    provider_field = "provider"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self
        return self.filter(**{f"{self.provider_field}_id": user.provider_id})
