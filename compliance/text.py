"""Text as people type it, kept one way whatever sent it."""


def as_typed(value):
    """`value` stripped, its line breaks as "\\n": a browser sends a text box's as CR LF,
    tooling as LF, and the same words sent both ways must read as the same (an amendment
    sending back untouched text changes nothing)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
