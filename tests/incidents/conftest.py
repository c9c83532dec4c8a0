import pytest

from tests import factories


@pytest.fixture
def model_a(provider_a):
    """A PES model of provider A."""
    return factories.PESModelFactory(provider=provider_a, name="Alpha Meter 9")


@pytest.fixture
def payload(model_a):
    """A valid API body for a security-weakness draft of provider A."""
    return {
        "category": "security_weakness",
        "subtype": "equipment_defect",
        "title": "Meter accepts forged resets",
        "description": "Resets without a valid descending register are accepted.",
        "discovered_at": "2026-06-10T07:30:00-04:00",
        "discovery_timezone": "America/New_York",
        "discovered_by_name": "Dana Discoverer",
        "pes_models": [model_a.pk],
    }
