"""A reviewer who stops reviewing: each case whose duties name them is followed once,
however many of its duties do."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from compliance.models import ObligationKind
from notifications import sweep as sweep_module
from tests import factories
from tests.incidents.factories import make_filed

pytestmark = pytest.mark.django_db


def test_each_case_is_followed_once(officer_a, provider_a):
    old = factories.ReviewerFactory(username="old.reviewer")
    incident = make_filed(officer_a)
    now = timezone.now()
    for hours in (24, 48, 72):
        factories.ObligationFactory(provider=provider_a, kind=ObligationKind.STATUS_REPORT,
                                    incident_id=incident.pk, reviewer=old,
                                    due_at=now + timedelta(hours=hours))
    with mock.patch.object(sweep_module, "follow_assignment", return_value=0) as follow:
        sweep_module.follow_reviewer(old)
    calls = [c.args for c in follow.call_args_list]
    assert calls == [(incident.pk,)], f"followed {len(calls)} times: {calls}"
