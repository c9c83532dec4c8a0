from rest_framework import serializers


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id limited to what the caller may see: others read as "does not exist"."""

    def get_queryset(self):
        request = self.context["request"]
        return super().get_queryset().visible_to(request.user)
