-- Connected mode of a source: Tripline holds the store's REST API keys (encrypted like every
-- secret), registered its own webhooks, imports the history (backfill) and polls for what
-- webhooks missed (reconcile). A source without a row here is the manual mode, as before.
create table source_connections (
  source_id text primary key references sources(id) on delete cascade,
  store_url text not null,
  -- {"consumerKey", "consumerSecret"} as JSON, sealed with TRIPLINE_SECRET_KEY.
  keys_enc text not null,
  -- Where the store delivers webhooks (TRIPLINE_PUBLIC_URL + the delivery path at connect time).
  delivery_url text not null,
  -- {status: ok|failing, checkedAt, error}
  connection jsonb not null default '{"status": "ok", "checkedAt": null, "error": null}',
  -- healthy | degraded | failing: the last status reported as source.health_changed.
  health text not null default 'healthy',
  -- [{id, topic, status}] as the store last reported them.
  webhooks jsonb not null default '[]',
  -- {status, phase, done, total, startedAt, finishedAt, error, runWorkflows}
  backfill jsonb not null default '{"status": "idle", "phase": null, "done": 0, "total": 0, "startedAt": null, "finishedAt": null, "error": null}',
  -- Where a stopped backfill resumes: {phase, page}; committed with each page's state.
  backfill_cursor jsonb,
  -- {lastRunAt, watermark: {orders, products, customers}, recovered, error}
  reconcile jsonb not null default '{"lastRunAt": null, "watermark": {}, "recovered": 0, "error": null}',
  created_at timestamptz not null default now()
);
