from rest_framework import permissions

from incidents.services.access import may_change


class OfficersOfTheProviderWrite(permissions.BasePermission):
    """Everyone who may see an incident reads it; only its provider's officers write.

    On a single incident the role is checked after the lookup, so an incident outside the
    caller's reach answers 404 whatever the caller's role.
    """

    message = "Only the provider's compliance officers file and change incidents."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "detail", False) or "incident_pk" in view.kwargs:
            return True
        return request.user.is_provider_officer

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return may_change(request.user, obj)
