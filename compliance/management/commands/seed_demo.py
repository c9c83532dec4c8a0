from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compliance import services
from compliance.models import Affiliate, PESModel, Provider, Role, User
from compliance.models.register import Relationship

DEMO_PASSWORD = "demo-pass-2026"

PROVIDERS = [
    {
        "name": "Meridian Postage Systems", "authorization_number": "USPS-PES-0101",
        "models": [("Meridian M-400 meter", "postage_meter", "approved", "USPS"),
                   ("Meridian Online", "pc_postage", "approved", "USPS"),
                   ("Meridian M-500 meter", "postage_meter", "submitted", "USPS")],
        "country": "US",
    },
    {
        "name": "Northgate Mailing Technologies", "authorization_number": "USPS-PES-0202",
        "models": [("Northgate NX meter", "postage_meter", "approved", "Canada Post"),
                   ("Northgate ShipDesk", "pc_postage", "approved", "USPS")],
        "country": "CA",
    },
    {
        "name": "Bluefin Digital Postage", "authorization_number": "USPS-PES-0303",
        "models": [("Bluefin WebStamp", "pc_postage", "approved", "USPS"),
                   ("Bluefin B1 meter", "postage_meter", "withdrawn", "Deutsche Post")],
        "country": "DE",
    },
]

# (username, role, provider index or None, full name)
USERS = [
    ("officer.meridian", Role.PROVIDER_OFFICER, 0, "Olivia Officer"),
    ("viewer.meridian", Role.PROVIDER_VIEWER, 0, "Victor Viewer"),
    ("officer.northgate", Role.PROVIDER_OFFICER, 1, "Nora Northgate"),
    ("officer.bluefin", Role.PROVIDER_OFFICER, 2, "Bruno Bluefin"),
    ("reviewer.usps", Role.USPS_REVIEWER, None, "Rita Reviewer"),
    ("manager.usps", Role.USPS_MANAGER, None, "Manuel Manager"),
]


class Command(BaseCommand):
    help = "Load demo providers, affiliates, PES models and a sign-in for every role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            # Its sign-ins' password is published: on a real deployment they are anyone's.
            raise CommandError("The demo data is for `make run` (DEBUG=true) only: its "
                               "sign-ins have a published password.")
        system = User.objects.filter(username="manager.usps").first()
        if system is None:
            system = services.create_user(username="manager.usps", role=Role.USPS_MANAGER,
                                          password=DEMO_PASSWORD, first_name="Manuel",
                                          last_name="Manager", email="manager@usps.example")
        providers = []
        for spec in PROVIDERS:
            # Found by its authorization number first: a demo provider renamed since (in
            # the admin, say) is still the one seeded.
            provider = (Provider.objects.filter(
                authorization_number=spec["authorization_number"]).first()
                or Provider.objects.filter(name=spec["name"]).first())
            if provider is None:
                provider = services.create_provider(
                    actor=system, name=spec["name"],
                    authorization_number=spec["authorization_number"])
            providers.append(provider)
            short = spec["name"].split()[0]
            for relationship in Relationship:
                name = f"{short} {relationship.label}"
                if not Affiliate.objects.filter(provider=provider, name=name).exists():
                    services.create_affiliate(actor=system, provider=provider, name=name,
                                              relationship=relationship.value,
                                              country=spec["country"])
            for name, kind, status, approved_by in spec["models"]:
                if not PESModel.objects.filter(provider=provider, name=name).exists():
                    services.create_pes_model(actor=system, provider=provider, name=name,
                                              kind=kind, approval_status=status,
                                              approved_by=approved_by)
        for username, role, index, full_name in USERS:
            if User.objects.filter(username=username).exists():
                continue
            first, last = full_name.split(" ", 1)
            services.create_user(actor=system, username=username, role=role,
                                 provider=providers[index] if index is not None else None,
                                 password=DEMO_PASSWORD, first_name=first, last_name=last,
                                 email=f"{username}@example.com")
        # Providers registered before the § 501.11(d) duty existed owe their procedures too.
        services.ensure_procedures_obligations(actor=system)
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, index, _ in USERS:
            where = PROVIDERS[index]["name"] if index is not None else "USPS"
            self.stdout.write(f"  {username:<20} {role.label:<30} {where}")
