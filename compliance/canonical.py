"""The filed form of anything append-only (a notification, a report, an enforcement step):
canonical JSON, its SHA-256, and field-by-field changes between versions.

One set of rules, so every receipt of the product is checked the same way: hash the UTF-8
bytes of `canonical_json(document)` and compare with the receipt's `sha256`.
"""

import hashlib
import json
from datetime import UTC


def utc_iso(value):
    """An aware time as UTC ISO 8601 with `Z`, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(document) -> str:
    """Sorted keys, no insignificant white space, UTF-8 text: the same document always
    gives the same string, and so the same hash."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes_between(before: dict, after: dict) -> dict:
    """{field: [before, after]} for each top-level field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def freeze(document):
    """(canonical JSON text, its SHA-256) of a document about to be filed."""
    text = canonical_json(document)
    return text, sha256_of(text)
