"""Which uploads are accepted: decided on the file's content, then checked against its name."""

import re
from pathlib import PurePath

from django.core.exceptions import ValidationError

ACCEPTED = "PDF, PNG, JPEG, plain text (.txt, .log), CSV and e-mail (.eml) files"

BINARY_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
)
TEXT_TYPES = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".eml": "message/rfc822",
}
HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")
ALLOWED_CONTROL = set(b"\t\n\r\f\x1b")
# What readers let come before a PDF's header: white space and a UTF-8 byte-order mark
# (a script's stray newline), within its first kilobyte.
PDF_LEAD = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n\f\x00]{0,1024}%PDF-")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 0x20 and b not in ALLOWED_CONTROL)
    return controls <= len(head) // 100


def _looks_like_email(head: bytes) -> bool:
    lines = head.lstrip().splitlines()
    return bool(lines) and HEADER_LINE.match(lines[0]) is not None and any(
        re.match(rb"^(from|to|subject|date|received|message-id):", line, re.I)
        for line in lines[:200]
    )


def _as_utf8(head: bytes) -> bytes:
    """UTF-16 text with its byte-order mark (what Windows tools write) as UTF-8, to be
    judged as text like any other; other content as it is."""
    if not head.startswith(UTF16_BOMS):
        return head
    even = head[:len(head) - len(head) % 2]
    try:
        return even.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError:
        try:  # a character cut at the end of what was read
            return even[:-2].decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return head


def detect_content_type(head: bytes, name: str) -> str:
    """The MIME type of an accepted file, from its first bytes; ValidationError (on
    `file`) when the content is not an accepted kind or the name says another kind."""
    suffix = PurePath(name).suffix.lower()
    for signature, mime, suffixes in BINARY_SIGNATURES:
        if head.startswith(signature) or (mime == "application/pdf"
                                          and PDF_LEAD.match(head)):
            if suffix not in suffixes:
                raise ValidationError({"file": [
                    f"The file's content is {mime} but its name ends in “{suffix or '(none)'}”;"
                    f" name it {suffixes[0]}."]})
            return mime
    head = _as_utf8(head)
    if head and _looks_like_text(head):
        if suffix not in TEXT_TYPES:
            raise ValidationError({"file": [
                f"Text files are accepted as .txt, .log, .csv or .eml, not “{suffix or '(none)'}”. "
                f"Accepted: {ACCEPTED}."]})
        if suffix == ".eml" and not _looks_like_email(head):
            raise ValidationError({"file": ["This .eml file does not start with e-mail "
                                            "headers (From:, Subject:, …)."]})
        return TEXT_TYPES[suffix]
    raise ValidationError({"file": [
        f"This kind of file is not accepted: its content is none of the {ACCEPTED}."]})
