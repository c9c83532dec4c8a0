"""The comment thread: who writes what, and internal comments never reaching provider staff
through the page, the API (list or count), e-mail, the timeline or the versions."""

from datetime import timedelta

import pgtrigger
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compliance.errors import Conflict
from compliance.models import AuditEvent
from incidents import services
from incidents.models import Comment
from notifications.models import OutboundEmail
from tests import factories

from .factories import NOW, make_draft, make_filed

pytestmark = pytest.mark.django_db

SECRET = "Internal: consider referral to enforcement"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def filed(officer_a):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=1))
    OutboundEmail.objects.all().delete()
    return incident


@pytest.fixture
def thread(filed, officer_a, reviewer):
    """A shared question from USPS, the officer's answer, and an internal USPS note."""
    services.add_comment(actor=reviewer, incident=filed, body="Which firmware?",
                         visibility="shared")
    services.add_comment(actor=officer_a, incident=filed, body="Firmware 4.2",
                         visibility="shared")
    services.add_comment(actor=reviewer, incident=filed, body=SECRET, visibility="internal")
    OutboundEmail.objects.all().delete()
    return filed


def comments_url(incident):
    return f"/api/v1/incidents/{incident.pk}/comments/"


# --- The service ---------------------------------------------------------------------

def test_it_appends_a_shared_comment_of_an_officer(filed, officer_a):
    comment = services.add_comment(actor=officer_a, incident=filed, body="  Hello  ",
                                   visibility="shared")

    assert comment.body == "Hello" and comment.created_at == NOW
    assert comment.author == officer_a and not comment.is_internal
    event = AuditEvent.objects.get(action="incident.comment_added")
    assert not event.usps_only and "Hello" not in str(event.changes)


def test_it_lets_only_usps_write_internal_comments(filed, officer_a, reviewer, manager):
    with pytest.raises(PermissionDenied):
        services.add_comment(actor=officer_a, incident=filed, body="x", visibility="internal")
    for author in (reviewer, manager):
        comment = services.add_comment(actor=author, incident=filed, body="note",
                                       visibility="internal")
        assert comment.is_internal
    assert AuditEvent.objects.filter(action="incident.comment_added", usps_only=True).count() == 2


def test_it_lets_viewers_read_but_not_write(filed, viewer_a, officer_b):
    for actor in (viewer_a, officer_b):
        with pytest.raises(PermissionDenied):
            services.add_comment(actor=actor, incident=filed, body="x", visibility="shared")
    assert not Comment.objects.exists()


def test_it_refuses_empty_comments_bad_visibility_and_drafts(filed, officer_a, reviewer):
    with pytest.raises(ValidationError):
        services.add_comment(actor=officer_a, incident=filed, body="   ", visibility="shared")
    with pytest.raises(ValidationError):
        services.add_comment(actor=reviewer, incident=filed, body="x", visibility="secret")
    with pytest.raises(Conflict):
        services.add_comment(actor=officer_a, incident=make_draft(officer_a), body="x",
                             visibility="shared")
    # USPS staff say who sees it, by any door: nothing internal is shared by a default.
    with pytest.raises(ValidationError) as refused:
        services.add_comment(actor=reviewer, incident=filed, body="x")
    assert "visibility" in refused.value.message_dict
    assert not Comment.objects.exists() and not OutboundEmail.objects.exists()


# --- E-mail --------------------------------------------------------------------------

def sent_to(template=None):
    rows = OutboundEmail.objects.order_by("to_address")
    if template:
        rows = rows.filter(template=template)
    return [r.to_address for r in rows]


def test_it_emails_the_reviewers_of_an_officers_comment(filed, officer_a, reviewer, manager):
    other = factories.ReviewerFactory(username="rita")
    services.add_comment(actor=officer_a, incident=filed, body="Question", visibility="shared")

    assert sent_to() == sorted([reviewer.email, other.email])


def test_it_emails_only_the_assigned_reviewer_when_there_is_one(filed, officer_a, reviewer,
                                                               manager):
    factories.ReviewerFactory(username="rita")
    services.assign_reviewer(actor=manager, incident=filed, reviewer=reviewer)
    services.add_comment(actor=officer_a, incident=filed, body="Question", visibility="shared")

    assert sent_to() == [reviewer.email]


def test_it_emails_the_providers_officers_a_shared_usps_comment(filed, reviewer, officer_a,
                                                               viewer_a, officer_b):
    services.add_comment(actor=reviewer, incident=filed, body="Which firmware?",
                         visibility="shared")

    assert sent_to("comment_shared") == [officer_a.email]
    email = OutboundEmail.objects.get()
    assert "Which firmware?" in email.rendered.body_text
    assert filed.reference in email.rendered.subject


def test_it_emails_an_internal_comment_to_usps_alone(filed, reviewer, manager, officer_a,
                                                     viewer_a):
    other = factories.ReviewerFactory(username="rita")
    services.add_comment(actor=reviewer, incident=filed, body=SECRET, visibility="internal")

    assert sent_to() == [other.email]
    for email in OutboundEmail.objects.all():
        assert email.recipient.is_usps and email.template == "comment_internal"
    assert not OutboundEmail.objects.filter(recipient__provider__isnull=False).exists()
    # The outbox keeps a reference to the comment, never its text.
    assert not OutboundEmail.objects.filter(context__icontains="referral").exists()


# --- The API -------------------------------------------------------------------------

def test_it_lists_the_thread_without_internal_comments_for_provider_staff(
        thread, officer_a, viewer_a, api_for):
    for user in (officer_a, viewer_a):
        response = api_for(user).get(comments_url(thread))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [c["body"] for c in body["results"]] == ["Which firmware?", "Firmware 4.2"]
        assert SECRET.encode() not in response.content
        assert b"internal" not in response.content


def test_it_lists_the_whole_thread_for_usps(thread, reviewer, api_for):
    body = api_for(reviewer).get(comments_url(thread)).json()

    assert body["count"] == 3
    last = body["results"][-1]
    assert last["body"] == SECRET and last["visibility"] == "internal"
    assert last["author"] == "reviewer" and last["author_side"] == "usps"
    assert last["created_at"] == "2026-06-10T12:00:00.000000Z"


def test_it_posts_comments_through_the_api(filed, officer_a, reviewer, api_for):
    response = api_for(officer_a).post(comments_url(filed), {"body": "Answer"})
    assert response.status_code == 201
    assert response.json()["visibility"] == "shared"
    assert response.json()["author_side"] == "provider"

    response = api_for(officer_a).post(comments_url(filed), {"body": "x",
                                                              "visibility": "internal"})
    assert response.status_code == 403
    response = api_for(reviewer).post(comments_url(filed), {"body": SECRET,
                                                             "visibility": "internal"})
    assert response.status_code == 201 and response.json()["visibility"] == "internal"
    response = api_for(reviewer).post(comments_url(filed), {"body": ""})
    assert response.status_code == 400 and "body" in response.json()


def test_usps_staff_say_who_sees_a_comment_through_the_api_as_on_the_page(
        filed, officer_a, reviewer, api_for):
    """Nothing internal is shared by a default: a USPS comment without `visibility` is
    refused (400) and nothing is stored or e-mailed; a provider officer's is shared."""
    emails = OutboundEmail.objects.count()

    refused = api_for(reviewer).post(comments_url(filed), {"body": SECRET})

    assert refused.status_code == 400 and "visibility" in refused.json()
    assert not Comment.objects.filter(incident=filed).exists()
    assert OutboundEmail.objects.count() == emails
    assert api_for(officer_a).get(comments_url(filed)).json()["count"] == 0


def test_it_keeps_the_comments_api_in_scope(filed, officer_a, officer_b, viewer_a, reviewer,
                                            api, api_for):
    draft = make_draft(officer_a)
    assert api.get(comments_url(filed)).status_code == 401
    assert api.post(comments_url(filed), {"body": "x"}).status_code == 401
    assert api_for(officer_b).get(comments_url(filed)).status_code == 404
    assert api_for(officer_b).post(comments_url(filed), {"body": "x"}).status_code == 404
    assert api_for(reviewer).get(comments_url(draft)).status_code == 404
    assert api_for(reviewer).post(comments_url(draft), {"body": "x"}).status_code == 404
    assert api_for(viewer_a).post(comments_url(filed), {"body": "x"}).status_code == 403
    # Whatever the body: who may not comment is told so, not what is wrong with the body.
    assert api_for(viewer_a).post(comments_url(filed), {"body": ""}).status_code == 403
    assert api_for(officer_a).post(comments_url(draft), {"body": "x"}).status_code == 409
    assert not Comment.objects.exists()


def test_it_never_puts_internal_comments_in_the_versions_or_the_incident(
        thread, officer_a, api_for):
    client = api_for(officer_a)
    for path in (f"/api/v1/incidents/{thread.pk}/", f"/api/v1/incidents/{thread.pk}/versions/",
                 f"/api/v1/incidents/?q={thread.reference}",
                 f"/api/v1/obligations/?incident={thread.pk}"):
        response = client.get(path)
        assert response.status_code == 200 and SECRET.encode() not in response.content


# --- The page and the timeline -------------------------------------------------------

def test_it_shows_provider_staff_the_shared_thread_only(thread, officer_a, viewer_a, client):
    for user in (officer_a, viewer_a):
        client.force_login(user)
        page = client.get(f"/incidents/{thread.pk}/").content.decode()
        assert "Which firmware?" in page and "Firmware 4.2" in page
        assert SECRET not in page and "Internal: USPS only" not in page
        assert [c.body for c in client.get(f"/incidents/{thread.pk}/").context["comments"]] == [
            "Which firmware?", "Firmware 4.2"]
        versions = client.get(f"/incidents/{thread.pk}/versions/").content.decode()
        assert SECRET not in versions


def test_it_shows_usps_the_internal_comments_marked(thread, reviewer, client):
    client.force_login(reviewer)
    page = client.get(f"/incidents/{thread.pk}/").content.decode()

    assert SECRET in page and "Internal: USPS only" in page
    assert 'name="visibility"' in page


def test_it_keeps_internal_comments_off_the_providers_timeline(thread, officer_a, reviewer,
                                                               client):
    client.force_login(officer_a)
    history = list(client.get(f"/incidents/{thread.pk}/").context["history"])
    added = [e for e in history if e.action == "incident.comment_added"]
    assert [e.changes["visibility"][1] for e in added] == ["shared", "shared"]

    client.force_login(reviewer)
    history = list(client.get(f"/incidents/{thread.pk}/").context["history"])
    assert [e.changes["visibility"][1] for e in history
            if e.action == "incident.comment_added"] == ["shared", "shared", "internal"]


def test_it_offers_the_comment_form_to_officers_without_the_internal_choice(
        filed, officer_a, viewer_a, client):
    client.force_login(officer_a)
    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    assert 'data-testid="comment-form"' in page and 'name="visibility"' not in page

    client.force_login(viewer_a)
    page = client.get(f"/incidents/{filed.pk}/").content.decode()
    assert 'data-testid="comment-form"' not in page


def test_it_adds_comments_from_the_page(filed, officer_a, reviewer, client):
    client.force_login(officer_a)
    response = client.post(f"/incidents/{filed.pk}/comments/",
                           {"body": "From the page", "visibility": "internal"})
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{filed.pk}/#comments"
    assert Comment.objects.get().visibility == "shared"  # the field is not offered to them

    client.force_login(reviewer)
    client.post(f"/incidents/{filed.pk}/comments/", {"body": SECRET, "visibility": "internal"})
    assert Comment.objects.filter(visibility="internal").count() == 1
    response = client.post(f"/incidents/{filed.pk}/comments/", {"body": "",
                                                                 "visibility": "shared"})
    assert response.status_code == 400


def test_it_keeps_the_comment_page_in_scope(filed, officer_a, officer_b, viewer_a, reviewer,
                                            client):
    draft = make_draft(officer_a)
    response = client.post(f"/incidents/{filed.pk}/comments/", {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(officer_b)
    assert client.post(f"/incidents/{filed.pk}/comments/", {"body": "x"}).status_code == 404
    client.force_login(viewer_a)
    assert client.post(f"/incidents/{filed.pk}/comments/", {"body": "x"}).status_code == 403
    client.force_login(reviewer)
    assert client.post(f"/incidents/{draft.pk}/comments/", {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_it_pins_the_incident_page_query_count_with_a_thread(thread, reviewer, officer_a,
                                                             client,
                                                             django_assert_max_num_queries):
    client.force_login(reviewer)
    with django_assert_max_num_queries(30) as small:
        client.get(f"/incidents/{thread.pk}/")
    for n in range(10):
        services.add_comment(actor=officer_a, incident=thread, body=f"more {n}",
                             visibility="shared")
    with django_assert_max_num_queries(30) as large:
        client.get(f"/incidents/{thread.pk}/")
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.fixture
def moved_after_commenting(filed, officer_a, provider_b, manager):
    """A reviewer's shared comment; the reviewer then joins Bravo, before its e-mail goes."""
    from accounts.services import change_role

    former = factories.ReviewerFactory(username="former.reviewer")
    with factories.committed():
        comment = services.add_comment(actor=former, incident=filed, visibility="shared",
                                       body="Please send the meter logs.")
    change_role(actor=manager, user=former, role="provider_officer",
                provider_id=provider_b.pk, reason="Joined Bravo.")
    return comment


def test_a_comment_keeps_the_side_its_author_wrote_for(moved_after_commenting, filed,
                                                        officer_a, api_for, signed_in):
    from django.core import mail

    from notifications.services import send_due_emails

    send_due_emails()

    [to_alpha] = [m for m in mail.outbox if officer_a.email in m.to]
    for body in (to_alpha.body, to_alpha.alternatives[0][0]):
        assert "former.reviewer (USPS) commented" in body and "Bravo" not in body
    [row] = api_for(officer_a).get(f"/api/v1/incidents/{filed.pk}/comments/").json()["results"]
    assert row["author_side"] == "usps"
    page = signed_in(officer_a).get(f"/incidents/{filed.pk}/").content.decode()
    assert '<span class="side">USPS</span>' in page


def test_the_upgrade_gives_existing_comments_their_authors_side_when_written(
        moved_after_commenting, officer_a, filed):
    import importlib

    from django.apps import apps

    own = services.add_comment(actor=officer_a, incident=filed, body="Logs attached.")
    migration = importlib.import_module("incidents.migrations.0016_comment_author_side")
    # As before the upgrade, which ran before comments were kept by a trigger.
    with pgtrigger.ignore("incidents.Comment:comment_append_only"):
        Comment.objects.update(author_side="")
        migration.fill_sides(apps, None)

    sides = dict(Comment.objects.values_list("pk", "author_side"))
    assert sides == {moved_after_commenting.pk: "usps", own.pk: "provider"}


def test_the_comment_form_sent_twice_adds_its_comment_once(filed, officer_a, client):
    """A double click, or a retry after a lost answer: a comment is never removed, so a
    second copy would stay in the thread for good. The form's key adds it once (and
    e-mails it once); the same form sent with another text adds that one."""
    client.force_login(officer_a)
    page = client.get(f"/incidents/{filed.pk}/")
    key = page.context["comment_form"]["submission_key"].value()
    assert key and f'value="{key}"' in page.content.decode()
    form = {"body": "We isolated the affected meters.", "submission_key": key}

    first = client.post(f"/incidents/{filed.pk}/comments/", form)
    events, emails = AuditEvent.objects.count(), OutboundEmail.objects.count()
    second = client.post(f"/incidents/{filed.pk}/comments/", form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert [c.body for c in Comment.objects.filter(incident=filed)] == [form["body"]]
    assert (AuditEvent.objects.count(), OutboundEmail.objects.count()) == (events, emails)

    client.post(f"/incidents/{filed.pk}/comments/", {**form, "body": "And the spares."})
    assert [c.body for c in Comment.objects.filter(incident=filed)] == [
        form["body"], "And the spares."]
    other = client.get(f"/incidents/{filed.pk}/").context["comment_form"]
    assert other["submission_key"].value() != key
