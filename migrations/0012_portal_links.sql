-- Up Migration

-- Partner portal links: a bearer token (`tlp_…`, shown once; only its SHA-256 is kept)
-- that opens the portal page and API for some endpoints, until it expires or is revoked.
-- The per-minute request counter lives on the row, so the rate limit holds across every
-- API process without any in-memory state.
create table portal_links (
  id text primary key,
  name text,
  token_hash text not null unique,
  token_prefix text not null,
  frame_ancestors text[] not null default '{}',
  rate_limit_per_minute integer not null check (rate_limit_per_minute > 0),
  created_at timestamptz not null default now(),
  created_by text,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  rate_window_start timestamptz,
  rate_hits integer not null default 0
);

-- Which endpoints a link shows; deleting an endpoint takes it out of every link.
create table portal_link_endpoints (
  link_id text not null references portal_links (id) on delete cascade,
  endpoint_id text not null references endpoints (id) on delete cascade,
  primary key (link_id, endpoint_id)
);
create index portal_link_endpoints_endpoint on portal_link_endpoints (endpoint_id);
