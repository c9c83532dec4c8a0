from django.core.exceptions import ValidationError as DjangoValidationError
from django_countries import countries
from rest_framework import serializers

from compliance.models import Affiliate, PESModel, Provider, Role, User
from compliance.models.users import validate_timezone

from .fields import VisiblePrimaryKeyRelatedField


def _caller(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class MeSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    provider = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = User
        fields = ["username", "role", "provider", "timezone"]


class ProviderSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text="Why the authorization status changes; recorded with the change (when "
                  "none is given, that the change came through the API with no reason).",
    )
    timezone = serializers.CharField(
        required=False, help_text="IANA zone in which deadlines set by the end of a day end "
                                  "(default America/New_York).")

    class Meta:
        model = Provider
        fields = ["id", "name", "authorization_number", "authorization_status", "timezone",
                  "reason"]

    def validate_timezone(self, value):
        try:
            validate_timezone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class AffiliateSerializer(serializers.ModelSerializer):
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code, e.g. US, DE, GB.")
    provider = VisiblePrimaryKeyRelatedField(
        queryset=Provider.objects.all(), required=False,
        help_text="Set from the caller for provider officers; required for USPS managers.",
    )

    class Meta:
        model = Affiliate
        fields = ["id", "provider", "name", "relationship", "country"]

    def get_fields(self):
        fields = super().get_fields()
        if getattr(_caller(self), "is_provider_staff", False):
            # Provider staff write only their own provider's affiliates: whatever
            # provider id they send is ignored, never checked against others.
            fields["provider"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def validate_country(self, value):
        code = value.strip().upper()
        if len(code) != 2 or code not in countries:
            raise serializers.ValidationError(
                "Use a two-letter ISO 3166-1 country code, e.g. US.")
        return code

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is None:
            if user.is_provider_staff:
                attrs["provider"] = user.provider
            elif "provider" not in attrs:
                raise serializers.ValidationError({"provider": ["This field is required."]})
        elif "provider" in attrs and attrs["provider"] != self.instance.provider:
            raise serializers.ValidationError(
                {"provider": ["An affiliate cannot change provider."]}
            )
        return attrs


class PESModelSerializer(serializers.ModelSerializer):
    provider = VisiblePrimaryKeyRelatedField(queryset=Provider.objects.all())

    class Meta:
        model = PESModel
        fields = ["id", "provider", "name", "kind", "approval_status", "approved_by"]

    def validate(self, attrs):
        if (self.instance is not None and "provider" in attrs
                and attrs["provider"] != self.instance.provider):
            raise serializers.ValidationError({"provider": ["A PES model cannot change provider."]})
        return attrs
