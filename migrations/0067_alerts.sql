-- Up Migration

-- Alerts (server/src/notify/alerts/): one row per condition Tripline has told someone
-- about (`key`: "endpoint-disabled:ep_1", "runs:wf_1", "backlog"…). Open while the
-- condition holds; `cleared_at` once it no longer does (and the "cleared" message went
-- out). A condition that comes back opens the row again with a new `opened_at`, which is
-- part of its messages' idempotency keys, so each opening and each clearing sends once.
create table alerts (
  key text primary key,
  kind text not null,
  title text not null,
  detail text not null,
  link text not null,
  opened_at timestamptz not null,
  cleared_at timestamptz,
  last_sent_at timestamptz,
  sent_count integer not null default 0,
  count integer not null default 0
);
create index alerts_open on alerts (key) where cleared_at is null;
