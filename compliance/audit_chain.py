"""The audit chain's arithmetic: the canonical bytes of an event and their SHA-256.

Pure functions of plain values, so the writer, `verify_audit` and the data migration
agree byte for byte, on SQLite and PostgreSQL alike. Each event's canonical content names
its position and the hash of the event before it, so changing, removing or reordering
any event breaks every hash after it.
"""

import hashlib
import json
from datetime import UTC

GENESIS = "0" * 64

# Every column that says what happened; `id` is the database's, `sha256` the result.
CHAIN_FIELDS = ("sequence", "previous_sha256", "at", "actor_id", "provider_id",
                "content_type", "object_id", "object_repr", "case_id", "action", "changes",
                "reason", "usps_only", "drafting_stage")


def canonical_time(value):
    """An aware time as UTC ISO 8601 with microseconds: one spelling per instant."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(values):
    """UTF-8 JSON of `values` (a mapping holding CHAIN_FIELDS; `at` an aware datetime,
    `content_type` as "app_label.model"), keys sorted, no whitespace."""
    document = {name: values[name] for name in CHAIN_FIELDS}
    document["at"] = canonical_time(document["at"])
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def event_sha256(values):
    return hashlib.sha256(canonical_bytes(values)).hexdigest()
