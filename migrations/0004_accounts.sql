-- Up Migration
-- People who sign in. Passwords: scrypt with a per-user salt (format in server/src/auth/password.ts).
create table users (
  id text primary key,
  email text not null,
  password_hash text not null,
  role text not null check (role in ('admin', 'editor', 'marketer', 'viewer')),
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  password_changed_at timestamptz not null default now(),
  last_login_at timestamptz
);
create unique index users_email on users (lower(email));

-- Sessions: only the SHA-256 of the cookie value is stored, so a database dump signs nobody in.
create table sessions (
  id text primary key,
  token_hash text not null unique,
  user_id text not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- Sign-in attempts, for rate limiting and lockout shared by every API process.
create table login_attempts (
  id bigserial primary key,
  email text not null,
  ip text,
  succeeded boolean not null,
  at timestamptz not null default now()
);
create index login_attempts_email_at on login_attempts (email, at desc);
create index login_attempts_ip_at on login_attempts (ip, at desc) where not succeeded;

-- API keys: `tl_` + 32 random bytes, shown once; only the SHA-256 is kept (plus a short
-- prefix so people can tell their keys apart).
create table api_keys (
  id text primary key,
  name text not null,
  scope text not null check (scope in ('ingest', 'read', 'admin')),
  key_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  created_by text,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Filters of the audit log page.
create index audit_log_actor on audit_log (actor, id desc);
create index audit_log_action on audit_log (action, id desc);
