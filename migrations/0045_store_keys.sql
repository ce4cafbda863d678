-- Up Migration

-- Issue #24: a source connected through the WooCommerce REST API keeps its store URL and its
-- keys (encrypted like every secret). `if not exists`: the connect work adds the same columns.
alter table sources add column if not exists store_url text;
alter table sources add column if not exists consumer_key_enc text;
alter table sources add column if not exists consumer_secret_enc text;

-- Down Migration
