-- Up Migration
-- Key/value settings (LTV tiers, lifecycle days, retention …), edited by admins.
create table settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
