"""Text as people type it, kept one way whatever sent it."""

import re
import unicodedata

# Line breaks and the other white space that starts a line (or a field) of its own.
BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Joiners that shape Arabic, Persian and Indic script: format characters kept.
JOINERS = {"\u200c", "\u200d"}


def as_typed(value):
    """`value` stripped, its line breaks as "\\n": a browser sends a text box's as CR LF,
    tooling as LF, and the same words sent both ways must read as the same (an amendment
    sending back untouched text changes nothing)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def visible(value):
    """`value` without the invisible format characters that change how text reads or what
    it seems to be: directional overrides, embeddings and isolates (the text after one
    reads reversed, a row of a plain-text e-mail saying the opposite of what it holds),
    zero-width spaces, word joiners, direction marks and byte-order marks (two names that
    look one). The joiners some scripts need are kept."""
    return "".join(c for c in value
                   if c in JOINERS or unicodedata.category(c) != "Cf")


def as_line(value):
    """A one-line text (a case's title, a person's name): stripped, its line breaks (and
    tabs) as one space each run, its invisible format characters left out (`visible`). A
    line break would start a line of its own in a plain-text e-mail, where it could pass
    for a field or a row of its own."""
    return BREAKS.sub(" ", visible(value or "")).strip()


def as_name(value):
    """A name in the register in one Unicode form (NFC) and on one line (`as_line`): "é"
    typed as one character or as "e" and a combining accent (as some keyboards and copies
    give it), or with an invisible character between its words, reads the same, and is
    the same name, taken once."""
    return unicodedata.normalize("NFC", as_line(value)) if isinstance(value, str) else value
