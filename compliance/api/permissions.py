from rest_framework import permissions


class ReadOnlyOrUSPSManager(permissions.BasePermission):
    """Everyone in scope reads; only USPS managers write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_usps_manager


class ReadOnlyOrOfficerOrUSPSManager(permissions.BasePermission):
    """Everyone in scope reads; the provider's officers and USPS managers write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_usps_manager or request.user.is_provider_officer
