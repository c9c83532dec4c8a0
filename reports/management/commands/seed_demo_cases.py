from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from compliance import services as core
from compliance.enforcement.services import issue_step, open_proceeding
from compliance.models import Obligation, ObligationKind, PESModel, ProcedureDocument, User
from incidents import services as incidents
from incidents.models import Incident
from reports import services as reports

COMPLETION_DAYS = 45


class Command(BaseCommand):
    help = ("Load demo cases at each stage of a case, a proceeding answered by its "
            "provider, and an item of each kind waiting on USPS (run after seed_demo; "
            "idempotent: a provider that already has cases gets none).")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo cases are for `make run` (DEBUG=true) only.")
        people = {u.username: u for u in User.objects.filter(username__in=[
            "officer.meridian", "officer.northgate", "officer.bluefin", "reviewer.usps",
            "manager.usps"])}
        if len(people) < 5:
            raise CommandError("Run `manage.py seed_demo` first: its people file the cases.")
        meridian, northgate = people["officer.meridian"], people["officer.northgate"]
        reviewer = people["reviewer.usps"]
        now = timezone.now()
        made = 0
        if not Incident.objects.filter(provider=meridian.provider).exists():
            made += self.meridian_cases(meridian, reviewer, now)
        if not Incident.objects.filter(provider=northgate.provider).exists():
            made += self.northgate_cases(northgate, people["manager.usps"], now)
        bluefin = people["officer.bluefin"]
        if not ProcedureDocument.objects.filter(provider=bluefin.provider).exists():
            core.upload_procedures(
                actor=bluefin, provider=bluefin.provider, effective_date=now.date(),
                uploaded_file=SimpleUploadedFile(
                    "bluefin-reporting-procedures.txt",
                    b"Bluefin Digital Postage: internal reporting of security weaknesses.\n"
                    b"1. Anyone who suspects a weakness tells the security desk at once.\n",
                    content_type="text/plain"))
        self.stdout.write(f"Demo cases: {made} made.")

    def meridian_cases(self, officer, reviewer, now):
        meter = PESModel.objects.get(provider=officer.provider, name="Meridian M-400 meter")
        online = PESModel.objects.get(provider=officer.provider, name="Meridian Online")
        incidents.create_draft(
            actor=officer, category="security_weakness", subtype="equipment_defect",
            title="Tamper seals lifting on M-400 meters in humid storage",
            description="Two dealers report seals that lift without visible damage.",
            discovered_at=now - timedelta(hours=5), discovery_timezone="America/Chicago",
            discovered_by_name="Sam Dealer-Liaison", pes_models=[meter])
        attack = incidents.create_draft(
            actor=officer, category="cyber_attack", subtype="unauthorized_access",
            title="Credential stuffing against Meridian Online",
            description="Sign-in attempts from a botnet; three customer accounts taken over.",
            discovered_at=now - timedelta(hours=20), discovery_timezone="America/New_York",
            discovered_by_name="Dana Analyst", pes_models=[online],
            risk_statements=[{"pes_model": online,
                              "nature_of_risk": "Stolen credentials allow postage purchases.",
                              "effect_on_pes": "Postage printed against victims' accounts."}])
        incidents.submit_incident(actor=officer, incident=attack)
        incidents.triage_incident(actor=reviewer, incident=attack, revenue_risk="high",
                                  rationale="Account takeover reaches postage funds.")
        finding = incidents.create_draft(
            actor=officer, category="test_finding", subtype="test_result",
            title="Lab test: replayed reset accepted by M-400 firmware 4.2",
            description="Our certification lab replayed a captured reset successfully.",
            discovered_at=now - timedelta(hours=10), discovery_timezone="America/New_York",
            discovered_by_name="Lab team", pes_models=[meter])
        incidents.submit_incident(actor=officer, incident=finding)
        incidents.triage_incident(actor=reviewer, incident=finding, revenue_risk="moderate",
                                  rationale="Needs a captured reset; limited exposure.")
        written, _ = reports.file_report(
            actor=officer, incident=finding, kind="written",
            circumstances="A reset captured on the bench was accepted a second time.",
            investigative_procedure="Replay across firmware versions; review the nonce check.",
            anticipated_completion_date=(now + timedelta(days=COMPLETION_DAYS)).date())
        reports.accept_report(actor=reviewer, report=written, comment="Thorough; thank you.")
        # Items waiting on USPS: a status report to review and an extension to decide.
        reports.file_report(
            actor=officer, incident=finding, kind="status",
            progress="Replayed across firmware 4.0 to 4.2; the nonce check is skipped on 4.2.",
            anticipated_completion_date=(now + timedelta(days=COMPLETION_DAYS)).date())
        duty = Obligation.objects.get(incident_id=attack.pk,
                                      kind=ObligationKind.WRITTEN_REPORT)
        core.request_extension(
            actor=officer, obligation=duty, requested_due_at=duty.due_at + timedelta(days=7),
            justification="The botnet logs come from our hosting provider next week.")
        return 3

    def northgate_cases(self, officer, manager, now):
        late = incidents.create_draft(
            actor=officer, category="security_weakness", subtype="employee_abuse",
            title="Dealer employee reused reset keys",
            description="A dealer technician reused reset keys on customer meters.",
            discovered_at=now - timedelta(days=3), discovery_timezone="America/Toronto",
            discovered_by_name="Northgate dealer audit",
            pes_models=list(PESModel.objects.filter(provider=officer.provider)[:1]))
        incidents.submit_incident(
            actor=officer, incident=late,
            late_reason="The dealer reported it to us only after its own audit.")
        # A proceeding citing the late notification, answered: USPS decides what follows.
        notification = Obligation.objects.get(incident_id=late.pk,
                                              kind=ObligationKind.NOTIFICATION)
        proceeding = open_proceeding(
            actor=manager, provider=officer.provider, kind="suspension",
            grounds="The notification of a dealer's reuse of reset keys came two days late.",
            obligations=[notification], incidents=[late.pk], revenue_risk="moderate")
        issue_step(actor=officer, proceeding=proceeding, kind="correction",
                   body="Dealers now report to our security desk within the hour; the "
                        "revised dealer agreement is attached to the case.")
        return 1
