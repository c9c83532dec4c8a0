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


# Marks that shape nothing beside plain ASCII, a space or the name's ends: a joiner, the
# combining grapheme joiner, a variation selector.
SHAPING = {"\u200c", "\u200d", "\u034f", *map(chr, range(0xFE00, 0xFE10))}


def _shaping_something(value):
    """`value` without the marks of `SHAPING` that shape nothing where they stand (read
    against what is kept before them)."""
    kept = []
    for n, c in enumerate(value):
        if c in SHAPING:
            before = kept[-1] if kept else " "
            after = value[n + 1] if n + 1 < len(value) else " "
            if c == "\u034f" or before.isascii() or after.isascii() \
                    or before.isspace() or after.isspace() or after in SHAPING:
                continue
        kept.append(c)
    return "".join(kept)


def as_name(value):
    """A name in the register in one Unicode form (NFC), on one line (`as_line`), its
    spaces one ordinary space each run (a page shows a no-break space or two spaces as
    one), without marks that shape nothing where they stand: "é" typed as one character
    or as "e" and a combining accent (as some keyboards and copies give it), or with an
    invisible character between its words, reads the same, and is the same name, taken
    once. Read so again, a name reads the same."""
    if not isinstance(value, str):
        return value
    name = as_line(value)
    while True:
        folded = unicodedata.normalize("NFC", " ".join(_shaping_something(name).split()))
        if folded == name:
            return name
        name = folded
