"""E-mails of a filing: written with it, sent by the worker, receipt and news for USPS."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents import services
from notifications.models import OutboundEmail
from notifications.services import deliver
from tests import factories

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(officer_a):
    with time_machine.travel(NOW, tick=False):
        return make_draft(officer_a, discovered_at=NOW - timedelta(hours=1))


def send_all(mailoutbox):
    for email in OutboundEmail.objects.order_by("pk"):
        deliver(email.pk)
    return {m.to[0]: m for m in mailoutbox}


def test_it_queues_a_receipt_and_a_new_filing_email_for_the_worker_to_send(
        draft, officer_a, officer_b, reviewer, manager, mailoutbox):
    factories.ReviewerFactory(username="away", is_active=False)
    with time_machine.travel(NOW, tick=False):
        version = services.submit_incident(actor=officer_a, incident=draft)
    assert mailoutbox == []  # the request only writes them

    rows = OutboundEmail.objects.order_by("template")
    assert [(r.template, r.to_address) for r in rows] == [
        ("incident_filed", reviewer.email), ("incident_receipt", officer_a.email)]
    sent = send_all(mailoutbox)
    receipt = sent[officer_a.email]
    assert "PES-2026-00001" in receipt.subject
    assert version.sha256 in receipt.body
    assert "2026-06-10 08:00:00 EDT" in receipt.body  # the officer's zone
    filed = sent[reviewer.email]
    assert "PES-2026-00001" in filed.subject and officer_a.provider.name in filed.subject
    assert f"/incidents/{draft.pk}/" in filed.body


def test_subjects_and_text_carry_the_title_as_typed_and_html_escapes_it(
        officer_a, reviewer, mailoutbox):
    title = "O'Brien's \"seal\" <test> & reset"
    with time_machine.travel(NOW, tick=False):
        draft = make_draft(officer_a, discovered_at=NOW - timedelta(hours=1), title=title)
        services.submit_incident(actor=officer_a, incident=draft)

    filed = send_all(mailoutbox)[reviewer.email]

    assert filed.subject.endswith(title), filed.subject
    assert title in filed.body
    html = filed.alternatives[0][0]
    assert title not in html and "&lt;test&gt; &amp; reset" in html


def test_it_sends_nothing_when_the_filing_is_refused(officer_a, reviewer,
                                                     django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        late = make_draft(officer_a, discovered_at=NOW - timedelta(days=2))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with pytest.raises(ValidationError):
                services.submit_incident(actor=officer_a, incident=late)

    assert not OutboundEmail.objects.exists()
    assert not callbacks


def test_it_says_a_late_filing_is_late_in_both_emails(officer_a, reviewer, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        late = make_draft(officer_a, discovered_at=NOW - timedelta(days=2))
        services.submit_incident(actor=officer_a, incident=late, late_reason="Lost e-mail.")

    sent = send_all(mailoutbox)
    assert "late" in sent[officer_a.email].subject
    assert "Lost e-mail." in sent[reviewer.email].body


def test_it_sends_a_receipt_for_an_amendment(officer_a, reviewer, mailoutbox):
    filed = make_filed(officer_a)
    OutboundEmail.objects.all().delete()
    services.amend_incident(actor=officer_a, incident=filed, title="Better title",
                            amendment_reason="Clearer")

    sent = send_all(mailoutbox)
    assert "version 2" in sent[officer_a.email].subject
    assert "Amended" in sent[reviewer.email].subject
    assert "title" in sent[reviewer.email].body


def test_an_amendment_goes_to_the_cases_reviewer_as_its_other_news_does(officer_a, reviewer):
    """Assigned, the case's reviewer alone reads its news (reports, comments, requests);
    unassigned, every reviewer."""
    other = factories.ReviewerFactory(username="other_reviewer")
    filed = make_filed(officer_a)
    services.amend_incident(actor=officer_a, incident=filed, title="Better title",
                            amendment_reason="Clearer")
    services.assign_reviewer(actor=reviewer, incident=filed, reviewer=reviewer)
    services.amend_incident(actor=officer_a, incident=filed, title="Best title",
                            amendment_reason="Clearer still")

    def to(version):
        return set(OutboundEmail.objects.filter(
            template="incident_amended", key__contains=f":v{version}:")
            .values_list("recipient__username", flat=True))

    assert to(2) == {reviewer.username, other.username}
    assert to(3) == {reviewer.username}


def test_it_does_not_email_usps_about_drafts(officer_a, reviewer):
    make_draft(officer_a)

    assert not OutboundEmail.objects.exists()


def test_the_receipt_names_the_provider_in_both_parts(officer_a, reviewer, mailoutbox):
    make_filed(officer_a)
    send_all(mailoutbox)

    receipt = next(m for m in mailoutbox if m.subject.startswith("Receipt:"))
    html = receipt.alternatives[0][0]
    assert f"Provider:       {officer_a.provider.name}" in receipt.body
    assert ">Provider</th><td>" in html, html


def test_the_receipt_of_version_1_sent_after_an_amendment_shows_version_1(
        officer_a, reviewer, mailoutbox):
    """The mail server was away while the officer amended: the receipt of version 1 pairs
    version 1's hash with what version 1 said, and so does USPS's news of it."""
    case = make_filed(officer_a, title="Original title")
    first = case.versions.get(number=1)
    services.amend_incident(actor=officer_a, incident=case, amendment_reason="A typo.",
                            title="Amended title")

    send_all(mailoutbox)

    receipt = next(m for m in mailoutbox if m.subject.startswith("Receipt:")
                   and "version 1" in m.subject)
    assert first.sha256 in receipt.body
    assert "Title:          Original title" in receipt.body
    assert "Original title" in receipt.alternatives[0][0]
    news = next(m for m in mailoutbox if m.subject.startswith("New filing"))
    assert news.subject.endswith("Original title")
    assert "Amended title" not in news.body


def test_the_text_part_carries_the_providers_name_as_typed(reviewer, mailoutbox):
    provider = factories.ProviderFactory(name="Smith & O'Neil Postage")
    officer = factories.OfficerFactory(username="officer_s", provider=provider)
    make_filed(officer)

    send_all(mailoutbox)

    receipt = next(m for m in mailoutbox if m.to == [officer.email])
    footer = receipt.body.rsplit("--", 1)[1]
    assert "at Smith & O'Neil Postage." in footer, footer
    assert "&amp;" not in receipt.body and "&#x27;" not in receipt.body
    assert "Smith &amp; O&#x27;Neil Postage" in receipt.alternatives[0][0]


def test_the_news_of_version_1_sent_after_an_amendment_names_version_1s_subtype(
        officer_a, reviewer, mailoutbox):
    """Rendered when it goes out, the e-mail states what version 1 states: its hash beside
    its own category and subtype, not an amendment's."""
    case = make_filed(officer_a, subtype="equipment_defect")
    first = case.versions.get(number=1)
    services.amend_incident(actor=officer_a, incident=case, subtype="cmrs_breach",
                            amendment_reason="It was the CMRS after all.")

    send_all(mailoutbox)

    news = next(m for m in mailoutbox if m.subject.startswith("New filing"))
    assert first.sha256 in news.body
    for part in (news.body, news.alternatives[0][0]):
        assert "Suspected equipment defect" in part
        assert "Suspected breach of the CMRS" not in part
