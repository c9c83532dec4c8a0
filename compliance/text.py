"""Text as people type it, kept one way whatever sent it."""

import unicodedata


def as_typed(value):
    """`value` stripped, its line breaks as "\\n": a browser sends a text box's as CR LF,
    tooling as LF, and the same words sent both ways must read as the same (an amendment
    sending back untouched text changes nothing)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def as_name(value):
    """A name in the register in one Unicode form (NFC): "é" typed as one character or as
    "e" and a combining accent (as some keyboards and copies give it) reads the same, and
    is the same name, taken once."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
