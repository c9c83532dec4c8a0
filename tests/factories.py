"""Test data. Factories build through the models; services are exercised by the tests."""

import factory
from django.utils import timezone

from compliance.models import (
    Affiliate,
    Obligation,
    ObligationKind,
    PESModel,
    Provider,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n} Postage Inc.")
    authorization_number = factory.Sequence(lambda n: f"USPS-PES-{n:04d}")


class AffiliateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliate

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Affiliate {n} GmbH")
    relationship = "subsidiary"
    country = "DE"


class PESModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PESModel

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Meter M-{n}")
    kind = "postage_meter"
    approval_status = "approved"
    approved_by = "USPS"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.PROVIDER_OFFICER
    provider = factory.SubFactory(ProviderFactory)
    timezone = "America/New_York"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficerFactory(UserFactory):
    role = Role.PROVIDER_OFFICER


class ViewerFactory(UserFactory):
    role = Role.PROVIDER_VIEWER


class ReviewerFactory(UserFactory):
    role = Role.USPS_REVIEWER
    provider = None


class ManagerFactory(UserFactory):
    role = Role.USPS_MANAGER
    provider = None


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obligation

    kind = ObligationKind.NOTIFICATION
    clause = "§ 501.11(b)"
    provider = factory.SubFactory(ProviderFactory)
    subject = factory.Sequence(lambda n: f"Case {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=24))
    original_due_at = factory.LazyAttribute(lambda o: o.due_at)


def enrol_totp(user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"):
    """Give `user` an authenticator app with `secret`; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return secret


def totp_code(secret, at=None):
    """The code an authenticator app with `secret` shows now (or at time `at`)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    moment = at.timestamp() if at is not None else time.time()
    return format_hotp_value(hotp_value(secret, int(moment) // 30))
