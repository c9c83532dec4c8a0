"""Two USPS managers edit the deadline policy from the page at the same time: the second
to save, from a page filled before the first saved, is refused, not saved over it."""

from html.parser import HTMLParser

from django.test import Client

from compliance.models import AuditEvent, DeadlinePolicy
from tests import factories

PAGE = "/notifications/policy/"


class _FormFields(HTMLParser):
    """The fields of the policy form as a browser would submit them, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self._in_form, self._select, self._textarea = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("data-testid") == "policy-form":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.data[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.strip()


def page_form(client):
    parser = _FormFields()
    parser.feed(client.get(PAGE).content.decode())
    return parser.data


def test_a_form_filled_before_another_managers_version_is_refused(db):
    """Manager A opens the page on the defaults; manager B saves version 1 (critical
    written reports within 2 days); A, from the page opened before, changes only the
    notification reminders and saves: refused, nothing saved, B's version stands."""
    a, b = Client(), Client()
    a.force_login(factories.ManagerFactory(username="manager.a"))
    b.force_login(factories.ManagerFactory(username="manager.b"))
    stale = page_form(a)
    assert stale["base_version"] == "0"

    fresh = page_form(b)
    fresh.update({"critical__written_report_days": "2",
                  "note": "Critical cases: written report within 2 days."})
    assert b.post(PAGE, fresh).status_code == 302
    events = AuditEvent.objects.count()

    stale.update({"offsets__notification": "16, 8, 2",
                  "note": "Earlier reminders for notifications."})
    refused = a.post(PAGE, stale)

    assert refused.status_code == 409
    assert "Version 1 was saved meanwhile by manager.b" in refused.content.decode()
    assert DeadlinePolicy.objects.count() == 1 and AuditEvent.objects.count() == events
    assert DeadlinePolicy.in_force().risk_windows["critical"]["written_report_days"] == 2

    again = page_form(a)
    again.update({"offsets__notification": "16, 8, 2",
                  "note": "Earlier reminders for notifications."})
    assert a.post(PAGE, again).status_code == 302
    in_force = DeadlinePolicy.in_force()
    assert in_force.version == 2
    assert in_force.risk_windows["critical"]["written_report_days"] == 2
