import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_an_officer_in_and_shows_who_they_are(page, sign_in, officer_a):
    sign_in(officer_a)

    whoami = page.get_by_test_id("whoami")
    assert "officer_a" in whoami.inner_text()
    assert "Provider compliance officer" in whoami.inner_text()
    assert "Alpha Postage" in whoami.inner_text()
    assert page.locator("h1").inner_text().startswith("Welcome")


def test_it_refuses_a_wrong_password(page, sign_in, officer_a):
    sign_in(officer_a, password="not-the-password")

    assert "/accounts/login/" in page.url
    assert "not correct" in page.get_by_test_id("sign-in-refused").inner_text()
