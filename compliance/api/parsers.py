"""JSON in, bounded: no request body can make the API recurse or overflow."""

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

# No published body nests deeper than 3 levels; 32 leaves room for any addition.
MAX_DEPTH = 32


def _finite(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"The number {text[:20]} is out of range.")
    return number


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number.")


def _depth(value):
    """How deeply `value` nests (iteratively, so a deep body cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON whose numbers are finite (no 1e400, NaN or Infinity) and whose nesting is at
    most `MAX_DEPTH` levels; anything else is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except (LookupError, UnicodeError):  # a charset that is no text encoding (rot13)
            raise ParseError(unreadable_charset(encoding)) from None
        if _depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels.")
        return data


def unreadable_charset(encoding):
    return (f"The body's charset ({encoding}) is not one a text can be read in: send it "
            "in UTF-8.")


class CharsetCheckedFormParser(FormParser):
    """A form body whose charset cannot decode it (a name Python knows that is no text
    encoding) is a 400, as a JSON body's is."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (LookupError, UnicodeError):
            encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
            raise ParseError(unreadable_charset(encoding)) from None


# What the upload endpoints read: a multipart file, or a form (which carries no file, and is
# answered so); never JSON. The form's charset is checked as everywhere else.
UPLOAD_PARSERS = [MultiPartParser, CharsetCheckedFormParser]
