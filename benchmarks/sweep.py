"""The deadline sweep at 10,000 and at 1,000,000 obligations, interleaved.

Two databases of realistic cases (`benchmarks.seeding`): the small one (`<bench>_small`)
holds 10,000 obligations; the large one is the case benchmarks' database of 200,000
incidents, brought to 1,000,000 obligations and 1,000,000 e-mails by old, met duties and
sent e-mails. Each round arms 100 obligations scattered over the table (so over the
providers): written reports of closed cases made open again and due a minute ago. One pass
then marks them missed, writes their escalation e-mails to the officers of their providers
and to the case's reviewer, and appends their audit events. Then the outbox is
drained (rendered and handed to an in-memory mail backend), a separate figure. The round
puts the obligations back as they were and removes its e-mails, so every round and every
run does the same work. Rounds alternate between the two databases.
"""

import os
import time

from benchmarks.stats import line, summary

DUE = 100
ROUNDS = 9
LARGE_OBLIGATIONS = int(os.environ.get("BENCH_SWEEP_OBLIGATIONS", "1000000"))
LARGE_EMAILS = LARGE_OBLIGATIONS
SMALL_CASES = 3_300
SMALL_OBLIGATIONS = 10_000

PAD_OBLIGATIONS = """
INSERT INTO compliance_obligation
  (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state, met_at,
   missed_at, waived_reason, usps_visible, created_at, filed_late, object_id, reviewer_id,
   next_action_at)
SELECT 'status_report', '§ 501.11(c)', i.provider_id, i.id, i.reference, due, due, 'met',
       due - interval '1 day', NULL, '', true, due - interval '30 days', false, NULL, NULL, NULL
FROM (SELECT g, now() - interval '5 years' - g * interval '1 minute' AS due,
             %(low_id)s + g %% %(span)s AS incident_id
      FROM generate_series(1, %(missing)s) AS g) AS s
JOIN incidents_incident i ON i.id = s.incident_id AND i.reference IS NOT NULL
"""

PAD_EMAILS = """
INSERT INTO notifications_outboundemail
  (key, template, recipient_id, to_address, context, obligation_id, step, audience, subject,
   state, attempts, next_attempt_at, created_at, sent_at, last_error, duration_ms)
SELECT 'bench-pad:' || g, 'obligation_reminder', %(user)s, 'pad@example.com', '{}'::jsonb,
       NULL, '', 'provider', 'Reminder', 'sent', 1, now() - interval '5 years',
       now() - interval '5 years', now() - interval '5 years', '', 40
FROM generate_series(1, %(missing)s) AS g
"""

ARM = """
WITH picked AS (
  SELECT id, state, due_at, met_at, missed_at, next_action_at, steps_done_until
  FROM compliance_obligation
  WHERE kind = 'written_report' AND state = 'met' AND (id * 7919 + %(round)s) %% %(stride)s = 0
  ORDER BY id LIMIT %(due)s
)
UPDATE compliance_obligation o
SET state = 'open', due_at = now() - interval '1 minute', met_at = NULL, missed_at = NULL,
    next_action_at = now() - interval '1 minute', steps_done_until = NULL
FROM picked WHERE o.id = picked.id
RETURNING o.id, picked.due_at, picked.met_at
"""


def pad(database, obligations, emails, progress=print):
    """Bring the case database to `obligations` and `emails` rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM incidents_incident "
                       "WHERE reference LIKE 'PES-B-%%'")
        low_id, high_id = cursor.fetchone()
        cursor.execute("SET session_replication_role = replica")  # met duties: no clock
        while True:  # rows that fall on a draft are left out: again until none is missing
            cursor.execute("SELECT count(*) FROM compliance_obligation")
            missing = obligations - cursor.fetchone()[0]
            if missing <= 0:
                break
            cursor.execute(PAD_OBLIGATIONS, {"missing": missing, "low_id": low_id,
                                             "span": high_id - low_id + 1})
        cursor.execute("SELECT count(*) FROM notifications_outboundemail")
        missing_emails = emails - cursor.fetchone()[0]
        if missing_emails > 0:
            cursor.execute("SELECT min(id) FROM compliance_user")
            cursor.execute(PAD_EMAILS, {"missing": missing_emails,
                                        "user": cursor.fetchone()[0]})
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE compliance_obligation")
        cursor.execute("VACUUM ANALYZE notifications_outboundemail")
        cursor.execute("SELECT count(*) FROM compliance_obligation")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM notifications_outboundemail")
        progress(f"  {database}: {total:,} obligations, {cursor.fetchone()[0]:,} e-mails")


def use(name):
    """Point the default connection at database `name` (same server)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()


def arm(round_number):
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM compliance_obligation "
                       "WHERE kind = 'written_report' AND state = 'met'")
        stride = max(1, cursor.fetchone()[0] // (DUE * 2))
        cursor.execute(ARM, {"round": round_number, "stride": stride, "due": DUE})
        armed = cursor.fetchall()
    assert len(armed) == DUE, len(armed)
    return armed


def disarm(armed, since):
    """Put the armed obligations back as they were and remove the round's e-mails."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        ids = [row[0] for row in armed]
        cursor.execute("DELETE FROM notifications_outboundemail "
                       "WHERE obligation_id = ANY(%s) AND created_at >= %s", [ids, since])
        for obligation_id, due_at, met_at in armed:
            cursor.execute(
                "UPDATE compliance_obligation SET state = 'met', due_at = %s, met_at = %s, "
                "missed_at = NULL, next_action_at = NULL, steps_done_until = NULL "
                "WHERE id = %s", [due_at, met_at, obligation_id])


def one_round(round_number):
    from django.utils import timezone

    from notifications.services import send_due_emails
    from notifications.sweep import sweep

    since = timezone.now()
    armed = arm(round_number)
    started = time.perf_counter()
    result = sweep()
    busy = (time.perf_counter() - started) * 1000
    assert result.missed >= DUE, result  # and any seeded duty that came due meanwhile
    started = time.perf_counter()
    sweep()
    idle = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    sent = send_due_emails()
    sending = (time.perf_counter() - started) * 1000
    disarm(armed, since)
    return busy, idle, sending, sent, result


def settle():
    """Pass until nothing is due, and count what that wrote as sent: the seeded cases' own
    duties that have come due since the seeding are not part of the measured rounds."""
    from django.db import connection

    from notifications.sweep import sweep

    while (result := sweep()).missed or result.obligations_stepped:
        pass
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notifications_outboundemail SET state = 'sent', sent_at = now() "
                       "WHERE state IN ('pending', 'sending')")


def run(large, small, goals):
    """`large` and `small`: database names, both seeded. Interleaved rounds."""
    for name in (small, large):
        use(name)
        settle()
    print(f"\nDeadline sweep: {DUE} obligations due, scattered over the providers; rounds "
          f"alternate between {SMALL_OBLIGATIONS:,} and {LARGE_OBLIGATIONS:,} obligations")
    figures = {name: {"busy": [], "idle": [], "sending": []} for name in (small, large)}
    last = {}
    for round_number in range(ROUNDS):
        for name in (small, large):
            use(name)
            busy, idle, sending, sent, result = one_round(round_number)
            figures[name]["busy"].append(busy)
            figures[name]["idle"].append(idle)
            figures[name]["sending"].append(sending)
            last[name] = (result, sent)
    for name, size in ((small, SMALL_OBLIGATIONS), (large, LARGE_OBLIGATIONS)):
        result, sent = last[name]
        print(f"  {size:,} obligations ({name}): {result}")
        print(line("pass with 100 due", figures[name]["busy"]))
        print(line("idle pass", figures[name]["idle"]))
        print(line(f"sending the pass's {sent} e-mails", figures[name]["sending"]))
    large_p50 = summary(figures[large]["busy"])[1]
    ratio = large_p50 / summary(figures[small]["busy"])[1]
    print(f"  ratio {LARGE_OBLIGATIONS:,} / {SMALL_OBLIGATIONS:,}: {ratio:.2f}x")
    goals.below("sweep pass at 1,000,000 obligations, p50", large_p50, 50)
    goals.at_most("sweep pass at 1,000,000 vs 10,000 obligations", ratio, 2)
    use(large)
