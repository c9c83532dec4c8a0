"""The API's JSON: DRF's, written as UTF-8, except an answer that holds a lone surrogate.

A request's JSON may spell a lone UTF-16 surrogate as an escape (`"\\ud800"`); an answer
that repeats the value (a choice refused, naming it) cannot be encoded as UTF-8, and would
fail as a server error after the error handler has run. Such an answer is written with
escapes instead: the same JSON to any client."""

from rest_framework import renderers


class _Escaped(renderers.JSONRenderer):
    ensure_ascii = True


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _Escaped().render(data, accepted_media_type, renderer_context)
