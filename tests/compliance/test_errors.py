"""One error contract: services raise `compliance.errors`; the API's exception handler and
the pages' `refuse_on_form` give each the same status and message."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from compliance.api.exceptions import exception_handler
from compliance.errors import Conflict, TooLarge
from compliance.forms import refuse_on_form


class _Form(forms.Form):
    file = forms.CharField(required=False)
    comment = forms.CharField(required=False)


def _answer(exc):
    request = APIRequestFactory().post("/api/v1/anything/")
    return exception_handler(exc, {"view": APIView(), "request": request})


@pytest.mark.parametrize(("exc", "status", "body"), [
    (Conflict("The report was already accepted."), 409,
     {"detail": "The report was already accepted."}),
    (TooLarge("The file is too large."), 413, {"detail": "The file is too large."}),
    (ValidationError({"comment": ["Say why."]}), 400, {"comment": ["Say why."]}),
    (ValidationError("Nothing changed."), 400, {"non_field_errors": ["Nothing changed."]}),
])
def test_it_answers_each_refusal_in_http(exc, status, body):
    response = _answer(exc)

    assert response.status_code == status
    assert response.data == body


@pytest.mark.parametrize(("exc", "status", "field", "message"), [
    (Conflict("Already filed."), 409, "__all__", "Already filed."),
    (TooLarge.upload(2_000, 1_000), 413, "file", "at most 1,000 bytes"),
    (ValidationError({"comment": ["Say why."]}), 400, "comment", "Say why."),
    (ValidationError({"elsewhere": ["Not a field."]}), 400, "__all__", "Not a field."),
])
def test_it_shows_each_refusal_on_a_form_with_its_status(exc, status, field, message):
    form = _Form(data={})
    form.is_valid()

    assert refuse_on_form(form, exc) == status
    assert any(message in text for text in form.errors[field])


def test_it_routes_errors_to_parts_of_the_page_that_are_not_fields():
    form = _Form(data={})
    form.is_valid()
    rows = []

    refuse_on_form(form, ValidationError({"risk_statements": ["Add one."]}),
                   {"risk_statements": rows})

    assert rows == ["Add one."] and not form.errors
