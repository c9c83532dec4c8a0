import pytest

ALL_MFA_ROLES = ["usps_manager", "usps_reviewer", "provider_officer"]


@pytest.fixture
def mfa_on(settings):
    """The production default: managers, reviewers and officers need a second factor."""
    settings.MFA_REQUIRED_ROLES = ALL_MFA_ROLES
    return settings
