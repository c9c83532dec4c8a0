"""A step sent again after going back and changing its terms is no repeat of the one filed."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from tests.enforcement.helpers import DAY, T0, at, issue
from tests.enforcement.test_pages import hidden, page, post

pytestmark = pytest.mark.django_db


def test_a_notice_sent_again_with_another_effective_date_is_not_told_it_was_filed(
        client, suspension, officer_a, manager):
    """The manager files a notice of suspension taking effect June 12, goes back, sees
    the date was wrong, sets June 20 and sends it again (the same text). The page must not
    answer 'this form was sent twice' as if June 20 were on record: the notice on record
    takes effect June 12 (and a step's terms are not amended)."""
    issue(officer_a, suspension, "correction", T0 + DAY, body="We filed it today.")
    client.force_login(manager)
    with at(T0 + 2 * DAY):
        after = hidden(client.get(page(suspension)).content.decode(), "step-form", "after")
    data = {"kind": "suspension_notice", "body": "Notice of suspension under 501.11.",
            "effective_date": "2026-06-12", "after": after}

    first = post(client, page(suspension, "steps/"), data, T0 + 2 * DAY)
    assert first.status_code == 302
    again = post(client, page(suspension, "steps/"),
                 {**data, "effective_date": "2026-06-20"}, T0 + 2 * DAY)

    notice = suspension.steps.get(kind="suspension_notice")
    assert notice.effective_at.astimezone(ZoneInfo("America/New_York")).date() == date(
        2026, 6, 12)
    # Not answered as the same form sent twice (a redirect to the June 12 notice).
    assert again.status_code != 302, (again.status_code, again.get("Location"))
    assert "this form was sent twice" not in again.content.decode()
