"""Bulk seeding of cases for benchmarks (PostgreSQL): incidents spread over four years with
their obligations, written reports, filed versions and USPS reviews, inserted set-wise in
batches, with progress.

    seed_cases(200_000, provider_ids, officer_id, reviewer_id)

Every figure is a pure function of the row number `g`, so a seeding is reproducible: about
a third of notifications are late, every filing has USPS's triage target (due two days
after filing), the last 5 % of cases are open (under review or investigating), written
reports are due 14 days after triage (one in ten missed, one in ten late), and every met
written report has a filed version and an acceptance.
"""

import time

CASE_TABLES = ("reports_reportreview", "reports_reportversion", "reports_report",
               "incidents_incident_pes_models", "incidents_riskstatement",
               "incidents_attachment", "incidents_comment", "incidents_incidentversion",
               "incidents_incident", "compliance_obligation")

INCIDENTS = """
INSERT INTO incidents_incident
  (reference, category, subtype, title, description, discovered_at, discovery_timezone,
   discovered_by_name, status, notification_due_at, submitted_at, is_late, late_reason,
   revenue_risk, current_version, created_at, updated_at, created_by_id,
   provider_id, submitted_by_id, closed_at, status_report_interval_days, triaged_at)
SELECT 'PES-B-' || g, 'security_weakness', 'equipment_defect', 'Bench case ' || g, '',
       d, 'UTC', 'Bench', CASE WHEN open THEN (CASE WHEN g %% 2 = 0 THEN 'under_review'
                                                ELSE 'investigating' END) ELSE 'closed' END,
       d + interval '24 hours', d + h * interval '1 hour', h > 24,
       CASE WHEN h > 24 THEN 'Found late' ELSE '' END,
       (ARRAY['low', 'moderate', 'high', 'critical'])[1 + g %% 4], 1, d, d, %(officer)s,
       (%(providers)s::bigint[])[1 + g %% %(provider_count)s], %(officer)s,
       CASE WHEN open THEN NULL ELSE d + (30 + g %% 60) * interval '1 day' END, 30,
       d + h * interval '1 hour' + (1 + g * 13 %% 150) * interval '1 hour'
FROM (SELECT g, now() - interval '4 years' * (1 - g::float / %(total)s) AS d,
             1 + (g * 37) %% 48 AS h, g > %(total)s * 0.95 AS open
      FROM generate_series(%(low)s, %(high)s) AS g) AS s
"""

OBLIGATIONS = """
INSERT INTO compliance_obligation
  (kind, clause, provider_id, incident_id, subject, due_at, original_due_at, state, met_at,
   missed_at, waived_reason, usps_visible, created_at, filed_late, object_id)
SELECT 'notification', '§ 501.11(b)', provider_id, id, reference, notification_due_at,
       notification_due_at, CASE WHEN is_late THEN 'late' ELSE 'met' END, submitted_at,
       CASE WHEN is_late THEN notification_due_at END, '', true, discovered_at, false, NULL
FROM incidents_incident WHERE reference LIKE 'PES-B-%%' AND id BETWEEN %(first)s AND %(last)s
UNION ALL
SELECT 'usps_triage', 'USPS target', provider_id, id, reference, due, due,
       CASE WHEN triaged_at <= due THEN 'met' ELSE 'late' END, triaged_at,
       CASE WHEN triaged_at > due THEN due END, '', true, submitted_at, is_late, id
FROM (SELECT *, submitted_at + interval '2 days' AS due FROM incidents_incident
      WHERE reference LIKE 'PES-B-%%' AND id BETWEEN %(first)s AND %(last)s) AS t
UNION ALL
SELECT 'written_report', '§ 501.11(c)', provider_id, id, reference, due, due,
       CASE WHEN id %% 10 = 0 THEN 'missed' WHEN id %% 10 = 1 THEN 'late'
            WHEN closed_at IS NULL THEN 'open' ELSE 'met' END,
       CASE WHEN id %% 10 = 1 THEN due + interval '3 days'
            WHEN id %% 10 <> 0 AND closed_at IS NOT NULL THEN due - interval '2 days' END,
       CASE WHEN id %% 10 IN (0, 1) THEN due END, '', true, triaged_at, false, NULL
FROM (SELECT *, triaged_at + interval '14 days' AS due FROM incidents_incident
      WHERE reference LIKE 'PES-B-%%' AND id BETWEEN %(first)s AND %(last)s) AS i
"""

REPORTS = """
WITH met AS (
  SELECT o.incident_id, o.provider_id, o.met_at, i.reference
  FROM compliance_obligation o JOIN incidents_incident i ON i.id = o.incident_id
  WHERE o.kind = 'written_report' AND o.met_at IS NOT NULL
    AND o.incident_id BETWEEN %(first)s AND %(last)s
), report AS (
  INSERT INTO reports_report
    (kind, number, reference, state, circumstances, investigative_procedure, progress,
     findings, root_cause, corrective_actions, current_version, submitted_at, decided_at,
     created_at, updated_at, created_by_id, incident_id, provider_id)
  SELECT 'written', 1, reference || '-WR1', 'accepted', 'c', 'p', '', '', '', '', 1, met_at,
         met_at + (incident_id %% 200) * interval '1 hour', met_at, met_at, %(officer)s,
         incident_id, provider_id
  FROM met RETURNING id, submitted_at, decided_at
), version AS (
  INSERT INTO reports_reportversion
    (number, canonical_json, sha256, submitted_at, changes, report_id, submitted_by_id)
  SELECT 1, '{}', repeat('0', 64), submitted_at, '{}'::jsonb, id, %(officer)s FROM report
  RETURNING id, report_id
)
INSERT INTO reports_reportreview (decision, decided_at, comment, report_id, reviewer_id,
                                  version_id)
SELECT 'accepted', r.decided_at, '', r.id, %(reviewer)s, v.id
FROM version v JOIN report r ON r.id = v.report_id
"""


def reset_cases(cursor):
    """Remove every case and everything hanging from it (TRUNCATE: no row triggers)."""
    cursor.execute(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE")


def seed_cases(total, provider_ids, officer_id, reviewer_id, *, batch=20_000, progress=print):
    """Replace every case with `total` seeded ones; prints progress after each batch."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with connection.cursor() as cursor:
        reset_cases(cursor)
    params = {"providers": list(provider_ids), "provider_count": len(provider_ids),
              "officer": officer_id, "reviewer": reviewer_id, "total": total}
    for low in range(1, total + 1, batch):
        high = min(low + batch - 1, total)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(INCIDENTS + " RETURNING id", {**params, "low": low, "high": high})
            ids = [row[0] for row in cursor.fetchall()]
            span = {**params, "first": min(ids), "last": max(ids)}
            cursor.execute(OBLIGATIONS, span)
            cursor.execute(REPORTS, span)
        progress(f"  seeded {high:,} / {total:,} incidents "
                 f"({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        for table in CASE_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")  # and the visibility map
