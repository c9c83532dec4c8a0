from rest_framework import permissions


class _SignedInRoleWrite(permissions.BasePermission):
    """Signed-in callers read what is in their scope; only some roles write.

    The role is checked on the object for PATCH, after the queryset has
    scoped it: another provider's object answers 404, never 403, so its
    existence does not leak.
    """

    def may_write(self, user) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) in ("update", "partial_update"):
            return True  # decided in has_object_permission, once the object is in scope
        return self.may_write(user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return self.may_write(request.user)


class ReadOnlyOrUSPSManager(_SignedInRoleWrite):
    """Everyone in scope reads; only USPS managers write."""

    def may_write(self, user):
        return user.is_usps_manager


class ReadOnlyOrOfficerOrUSPSManager(_SignedInRoleWrite):
    """Everyone in scope reads; the provider's officers and USPS managers write."""

    def may_write(self, user):
        return user.is_usps_manager or user.is_provider_officer


class IsUSPS(permissions.BasePermission):
    """USPS staff only: for what is internal to USPS and names no object (403 otherwise)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_usps)
