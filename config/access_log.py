"""gunicorn's access log without the secrets some URLs carry: a calendar feed's (polled for
ever by calendar apps), an invitation's and a password reset's. The database keeps only
their hashes; the log keeps the path with the secret masked, in every field of the line
(the request line, the path, the referrer of the page that followed the link). The
application's own log lines (Django's "Not Found: <path>", a CSRF refusal's "Forbidden
(…): <path>") pass through `MaskedSecrets`."""

import logging
import re

from gunicorn.glogging import Logger

# The secret part of each such path (config/urls.py, notifications/urls.py, allauth's).
SECRET_IN_PATH = re.compile(r"(/notifications/calendar/|/accounts/invitation/\d+-"
                            r"|/accounts/password/reset/key/)[^/?\s\"]+")
MASK = r"\1[secret]"


def masked(text):
    return SECRET_IN_PATH.sub(MASK, text)


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        return {key: masked(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}


class MaskedSecrets(logging.Filter):
    """A log line naming such a path says it with the secret masked."""

    def filter(self, record):
        message = record.getMessage()
        if SECRET_IN_PATH.search(message):
            record.msg, record.args = masked(message), None
        return True
