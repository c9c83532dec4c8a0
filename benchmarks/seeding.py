"""Bulk seeding of realistic cases for benchmarks (PostgreSQL), set-wise in batches, with
progress.

    cast = seed_people()                 # 50 providers with their staff and PES models, USPS
    seed_cases(200_000, cast)            # their cases, with everything that hangs from them

Every figure is a pure function of the row number `g`, so a seeding is reproducible. Cases
spread over four years and over every provider. About a third of notifications are late;
every filing has USPS's triage target (due two days after filing); the newest 1 % are filed
and waiting for triage, the 4 % before them are open (under review or investigating, with
status reports), the rest closed; a few drafts per provider. Written reports are due 14 days
after triage (one in ten late; an open case's may be missed) and every met one has a filed
version and an acceptance. Security weaknesses and test findings name one or two of their
provider's PES models, cyber attacks a risk statement. Each case has seven audit events and
three sent e-mails, so the audit and e-mail tables are as large as the cases make them.
"""

import time

CASE_TABLES = ("reports_reportreview", "reports_reportversion", "reports_report",
               "incidents_incident_pes_models", "incidents_riskstatement",
               "incidents_attachment", "incidents_comment", "incidents_incidentversion",
               "incidents_incident", "compliance_obligation", "notifications_outboundemail",
               "compliance_auditevent")

PROVIDERS = 50
REVIEWERS = 10
OFFICERS_PER_PROVIDER = 3
VIEWERS_PER_PROVIDER = 2
PES_MODELS_PER_PROVIDER = 4
AUDIT_EVENTS_PER_CASE = 7
EMAILS_PER_CASE = 3

WORDS = ("meter", "indicia", "firmware", "tamper", "seal", "clock", "postage", "vault",
         "descending register", "PC Postage", "key rotation", "certificate", "login",
         "phishing", "CMRS", "refund", "printer", "batch", "signature", "token")

INCIDENTS = """
INSERT INTO incidents_incident
  (reference, category, subtype, title, description, discovered_at, discovery_timezone,
   discovered_by_name, status, notification_due_at, submitted_at, is_late, late_reason,
   revenue_risk, current_version, created_at, updated_at, created_by_id, provider_id,
   submitted_by_id, closed_at, status_report_interval_days, triaged_at,
   assigned_reviewer_id)
SELECT CASE WHEN draft THEN NULL ELSE 'PES-B-' || g END,
       (ARRAY['security_weakness', 'security_weakness', 'test_finding', 'cyber_attack'])
         [1 + g %% 4],
       (ARRAY['equipment_defect', 'tampering_method', 'test_result', 'unauthorized_access'])
         [1 + g %% 4],
       initcap(w1) || ' ' || w2 || ' issue at site ' || (g %% 997),
       'Found during ' || w2 || ' checks: the ' || w1 || ' of unit ' || g
         || ' behaved outside its approved design; the ' || w2
         || ' was isolated and the logs kept for the investigation.',
       d, 'America/New_York', 'Analyst ' || (g %% 89),
       CASE WHEN draft THEN 'draft' WHEN waiting THEN 'submitted'
            WHEN open THEN (CASE WHEN g %% 2 = 0 THEN 'under_review' ELSE 'investigating' END)
            ELSE 'closed' END,
       d + interval '24 hours',
       CASE WHEN draft THEN NULL ELSE d + h * interval '1 hour' END,
       NOT draft AND h > 24, CASE WHEN NOT draft AND h > 24 THEN 'Found late' ELSE '' END,
       CASE WHEN draft OR waiting THEN NULL
            ELSE (ARRAY['low', 'moderate', 'high', 'critical'])[1 + g %% 4] END,
       CASE WHEN draft THEN 0 ELSE 1 END, d, d + h * interval '1 hour', officer, provider,
       CASE WHEN draft THEN NULL ELSE officer END,
       CASE WHEN open OR waiting OR draft THEN NULL
            ELSE d + (30 + g %% 60) * interval '1 day' END,
       CASE WHEN draft OR waiting THEN NULL ELSE 30 END,
       CASE WHEN draft OR waiting THEN NULL
            ELSE d + h * interval '1 hour' + (1 + g * 13 %% 40) * interval '1 hour' END,
       CASE WHEN draft OR waiting THEN NULL
            ELSE (%(reviewers)s::bigint[])[1 + g %% %(reviewer_count)s] END
FROM (SELECT g, d, h, open, waiting, draft,
             (%(providers)s::bigint[])[1 + g %% %(provider_count)s] AS provider,
             (%(officers)s::bigint[])[1 + g %% %(provider_count)s] AS officer,
             (%(words)s::text[])[1 + g %% %(word_count)s] AS w1,
             (%(words)s::text[])[1 + (g / 7) %% %(word_count)s] AS w2
      FROM (SELECT g, now() - interval '4 years' * (1 - g::float / %(total)s) AS d,
                   1 + (g * 37) %% 48 AS h,
                   g > %(total)s * 0.95 AND g <= %(total)s * 0.99 AS open,
                   g > %(total)s * 0.99 AND g %% 40 <> 0 AS waiting,
                   g > %(total)s * 0.99 AND g %% 40 = 0 AS draft
            FROM generate_series(%(low)s, %(high)s) AS g) AS s) AS t
RETURNING id
"""

# The batch's cases, by id range: `span` of the statements below.
BATCH_CASES = "FROM incidents_incident WHERE reference LIKE 'PES-B-%%' " \
              "AND id BETWEEN %(first)s AND %(last)s"

OBLIGATIONS = f"""
INSERT INTO compliance_obligation
  (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state, met_at,
   missed_at, waived_reason, usps_visible, created_at, filed_late, object_id, reviewer_id,
   next_action_at)
SELECT 'notification', '§ 501.11(b)', provider_id, id, reference, notification_due_at,
       notification_due_at, CASE WHEN is_late THEN 'late' ELSE 'met' END, submitted_at,
       CASE WHEN is_late THEN notification_due_at END, '', true, discovered_at, false,
       NULL::bigint, NULL::bigint, NULL::timestamptz
{BATCH_CASES}
UNION ALL
SELECT 'usps_triage', 'USPS target', provider_id, id, reference, due, due,
       CASE WHEN triaged_at IS NULL THEN 'open' WHEN triaged_at <= due THEN 'met'
            ELSE 'late' END, triaged_at,
       CASE WHEN triaged_at > due THEN due END, '', true, submitted_at, is_late, id, NULL,
       CASE WHEN triaged_at IS NULL THEN due - interval '1 day' END
FROM (SELECT *, submitted_at + interval '2 days' AS due {BATCH_CASES}) AS t
UNION ALL
SELECT 'written_report', '§ 501.11(c)', provider_id, id, reference, due, due,
       CASE WHEN closed_at IS NOT NULL THEN (CASE WHEN id %% 10 = 1 THEN 'late' ELSE 'met' END)
            WHEN id %% 10 = 0 THEN 'missed' ELSE 'open' END,
       CASE WHEN closed_at IS NOT NULL THEN
            (CASE WHEN id %% 10 = 1 THEN due + interval '3 days' ELSE due - interval '2 days' END)
       END,
       CASE WHEN id %% 10 = 1 AND closed_at IS NOT NULL OR id %% 10 = 0 AND closed_at IS NULL
            THEN due END,
       '', true, triaged_at, false, NULL, assigned_reviewer_id,
       CASE WHEN closed_at IS NULL AND id %% 10 <> 0 THEN due - interval '2 days' END
FROM (SELECT *, triaged_at + interval '14 days' AS due {BATCH_CASES}
      AND triaged_at IS NOT NULL) AS i
UNION ALL
SELECT 'status_report', '§ 501.11(c)', provider_id, id, reference, due, due,
       CASE WHEN id %% 7 = 0 AND due < now() THEN 'missed' ELSE 'open' END, NULL,
       CASE WHEN id %% 7 = 0 AND due < now() THEN due END, '', true, triaged_at, false, NULL,
       assigned_reviewer_id,
       CASE WHEN NOT (id %% 7 = 0 AND due < now()) THEN due - interval '3 days' END
FROM (SELECT *, triaged_at + interval '30 days' AS due {BATCH_CASES}
      AND triaged_at IS NOT NULL AND closed_at IS NULL) AS s
"""

PES_MODELS = f"""
INSERT INTO incidents_incident_pes_models (incident_id, pesmodel_id)
SELECT i.id, m.id
FROM (SELECT id, provider_id, category {BATCH_CASES}
      UNION ALL
      SELECT id, provider_id, category FROM incidents_incident
      WHERE status = 'draft' AND id BETWEEN %(first)s AND %(last)s) AS i
JOIN (SELECT id, provider_id,
             row_number() OVER (PARTITION BY provider_id ORDER BY id) - 1 AS n
      FROM compliance_pesmodel) AS m
  ON m.provider_id = i.provider_id
 AND (m.n = i.id %% {PES_MODELS_PER_PROVIDER}
      OR i.id %% 3 = 0 AND m.n = (i.id + 1) %% {PES_MODELS_PER_PROVIDER})
WHERE i.category IN ('security_weakness', 'test_finding')
"""

RISK_STATEMENTS = f"""
INSERT INTO incidents_riskstatement
  (incident_id, pes_model_id, nature_of_risk, effect_on_pes, position)
SELECT i.id, m.id, 'Unauthorized access to the ' || i.title,
       'Postage could be printed without being paid for.', 0
FROM (SELECT id, provider_id, title {BATCH_CASES} AND category = 'cyber_attack') AS i
JOIN (SELECT DISTINCT ON (provider_id) id, provider_id FROM compliance_pesmodel
      ORDER BY provider_id, id) AS m ON m.provider_id = i.provider_id
"""

VERSIONS = f"""
INSERT INTO incidents_incidentversion
  (number, canonical_json, sha256, submitted_at, amendment_reason, changes, incident_id,
   submitted_by_id)
SELECT 1, '{{"title": "' || id || '"}}', md5(id::text) || md5(reference), submitted_at, '',
       '{{}}'::jsonb, id, submitted_by_id
{BATCH_CASES}
"""

REPORTS = """
WITH met AS (
  SELECT o.incident_id, o.provider_id, o.met_at, i.reference, i.created_by_id
  FROM compliance_obligation o JOIN incidents_incident i ON i.id = o.incident_id
  WHERE o.kind = 'written_report' AND o.met_at IS NOT NULL
    AND o.incident_id BETWEEN %(first)s AND %(last)s
), report AS (
  INSERT INTO reports_report
    (kind, number, reference, state, circumstances, investigative_procedure, progress,
     findings, root_cause, corrective_actions, current_version, submitted_at, decided_at,
     created_at, updated_at, created_by_id, incident_id, provider_id)
  SELECT 'written', 1, reference || '-WR1', 'accepted', 'c', 'p', '', '', '', '', 1, met_at,
         met_at + (incident_id %% 200) * interval '1 hour', met_at, met_at, created_by_id,
         incident_id, provider_id
  FROM met RETURNING id, submitted_at, decided_at, created_by_id
), version AS (
  INSERT INTO reports_reportversion
    (number, canonical_json, sha256, submitted_at, changes, report_id, submitted_by_id)
  SELECT 1, '{}', repeat('0', 64), submitted_at, '{}'::jsonb, id, created_by_id FROM report
  RETURNING id, report_id
)
INSERT INTO reports_reportreview (decision, decided_at, filed_at, comment, report_id,
                                  reviewer_id, version_id)
SELECT 'accepted', r.decided_at, r.submitted_at, '', r.id, %(reviewer)s, v.id
FROM version v JOIN report r ON r.id = v.report_id
"""

# The audit log's sequence continues from the chain's end (the chain of seeded events is
# not verifiable: their hashes are stand-ins).
AUDIT_EVENTS = f"""
INSERT INTO compliance_auditevent
  (at, object_id, object_repr, action, changes, reason, usps_only, actor_id, content_type_id,
   provider_id, case_id, drafting_stage, sequence, previous_sha256, sha256)
SELECT created_at + n * interval '1 day', id::text, coalesce(reference, title),
       (ARRAY['incident.draft_created', 'incident.submitted', 'obligation.opened',
              'incident.triaged', 'obligation.met', 'report.submitted',
              'incident.comment_added'])[n + 1],
       '{{}}'::jsonb, '', n = 6, CASE WHEN n IN (3, 6) THEN %(reviewer)s ELSE created_by_id END,
       %(incident_type)s, provider_id, id, n = 0 OR status = 'draft',
       %(sequence)s + row_number() OVER (ORDER BY id, n), repeat('0', 64), repeat('0', 64)
FROM (SELECT * FROM incidents_incident WHERE id BETWEEN %(first)s AND %(last)s) AS i,
     generate_series(0, CASE WHEN status = 'draft' THEN 0
                             ELSE {AUDIT_EVENTS_PER_CASE - 1} END) AS n
"""

EMAILS = f"""
INSERT INTO notifications_outboundemail
  (key, template, recipient_id, to_address, context, obligation_id, step, audience, subject,
   state, attempts, next_attempt_at, created_at, sent_at, last_error, duration_ms)
SELECT 'bench:' || id || ':' || n, 'incident_submitted', created_by_id,
       'officer' || created_by_id || '@example.com', '{{}}'::jsonb, NULL, '', 'provider',
       'Filed: ' || reference, 'sent', 1, submitted_at, submitted_at, submitted_at, '', 40
FROM (SELECT * {BATCH_CASES}) AS i, generate_series(1, {EMAILS_PER_CASE}) AS n
"""


class Cast:
    """Who the seeded cases belong to and are handled by."""

    def __init__(self, providers, officers, viewers, reviewers, manager):
        self.providers = providers  # ids, in order
        self.officers = officers    # {provider id: [user ids]}
        self.viewers = viewers      # {provider id: [user ids]}
        self.reviewers = reviewers  # ids
        self.manager = manager      # id

    def first_officers(self):
        return [self.officers[p][0] for p in self.providers]


def seed_people(providers=PROVIDERS, reviewers=REVIEWERS):
    """Providers with their officers, viewers and PES models; USPS reviewers and a manager.
    Idempotent: found by name, made when missing."""
    from compliance.models import PESModel, Provider, Role, User
    from compliance.models.register import PESKind

    provider_ids, officers, viewers = [], {}, {}
    for n in range(providers):
        provider, _ = Provider.objects.get_or_create(
            name=f"Benchmark Provider {n}",
            defaults={"authorization_number": f"BENCH-P{n}"})
        provider_ids.append(provider.pk)
        for m in range(PES_MODELS_PER_PROVIDER):
            PESModel.objects.get_or_create(
                provider=provider, name=f"Meter {n}-{m}",
                defaults={"kind": PESKind.choices[0][0]})
        officers[provider.pk] = [_user(f"bench-officer-{n}-{k}", Role.PROVIDER_OFFICER,
                                       provider) for k in range(OFFICERS_PER_PROVIDER)]
        viewers[provider.pk] = [_user(f"bench-viewer-{n}-{k}", Role.PROVIDER_VIEWER, provider)
                                for k in range(VIEWERS_PER_PROVIDER)]
    reviewer_ids = [_user(f"bench-reviewer-{k}", Role.USPS_REVIEWER) for k in range(reviewers)]
    manager = _user("bench-manager", Role.USPS_MANAGER)
    User.objects.filter(username__startswith="bench-").update(is_active=True)
    return Cast(provider_ids, officers, viewers, reviewer_ids, manager)


def _user(username, role, provider=None):
    from compliance.models import User

    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "provider": provider,
                                     "email": f"{username}@example.com"})
    return user.pk


def reset_cases(cursor):
    """Remove every case and everything hanging from it (TRUNCATE: no row triggers)."""
    cursor.execute(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE")


def seed_cases(total, cast, *, batch=20_000, progress=print):
    """Replace every case with `total` seeded ones; prints progress after each batch."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from incidents import clock, counts
    from incidents.models import Incident

    started = time.perf_counter()
    with connection.cursor() as cursor:
        reset_cases(cursor)
    params = {"providers": cast.providers, "provider_count": len(cast.providers),
              "officers": cast.first_officers(), "reviewers": cast.reviewers,
              "reviewer_count": len(cast.reviewers), "reviewer": cast.reviewers[0],
              "words": list(WORDS), "word_count": len(WORDS), "total": total,
              "incident_type": ContentType.objects.get_for_model(Incident).pk}
    for low in range(1, total + 1, batch):
        high = min(low + batch - 1, total)
        with transaction.atomic(), connection.cursor() as cursor:
            # Set-wise loading without row triggers (the case clock is set once, after).
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(INCIDENTS, {**params, "low": low, "high": high})
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT coalesce(max(sequence), 0) FROM compliance_auditevent")
            span = {**params, "first": min(ids), "last": max(ids),
                    "sequence": cursor.fetchone()[0]}
            for statement in (OBLIGATIONS, PES_MODELS, RISK_STATEMENTS, VERSIONS, REPORTS,
                              AUDIT_EVENTS, EMAILS):
                cursor.execute(statement, span)
        progress(f"  seeded {high:,} / {total:,} incidents "
                 f"({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        clock.recompute_all(cursor)  # the rows went in without the triggers of the case
        counts.recount_all(cursor)   # clock and of the case counts
        for table in CASE_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")  # and the visibility map
    progress(f"  analysed ({time.perf_counter() - started:.0f} s)")
