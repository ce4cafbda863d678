import type { Credential } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the credentials table. Values go in already encrypted and come out only through
 * `encryptedCredentialValue`, for the step that sends them (credentials/store.ts decrypts).
 */

interface CredentialRow {
  name: string;
  description: string | null;
  hint: string;
  allowed_origins: string[];
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
}

const COLUMNS = 'name, description, hint, allowed_origins, created_at, created_by, updated_at';

function toCredential(row: CredentialRow): Credential {
  return {
    name: row.name,
    description: row.description,
    hint: row.hint,
    allowedOrigins: row.allowed_origins,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listCredentials(db: Queryable): Promise<Credential[]> {
  const { rows } = await db.query<CredentialRow>(`select ${COLUMNS} from credentials order by name`);
  return rows.map(toCredential);
}

/** Creates or replaces; answers the stored credential and whether it existed before. */
export async function upsertCredential(
  db: Queryable,
  input: { name: string; description: string | null; valueEncrypted: string; hint: string; allowedOrigins: string[]; createdBy: string },
): Promise<{ credential: Credential; replaced: boolean; before: Credential | undefined }> {
  // The row as it was, for the audit entry (origins before and after).
  const before = (await db.query<CredentialRow>(`select ${COLUMNS} from credentials where name = $1 for update`, [input.name])).rows[0];
  const { rows } = await db.query<CredentialRow & { replaced: boolean }>(
    `insert into credentials (name, description, value_encrypted, hint, allowed_origins, created_by) values ($1, $2, $3, $4, $5, $6)
     on conflict (name) do update set description = excluded.description, value_encrypted = excluded.value_encrypted,
       hint = excluded.hint, allowed_origins = excluded.allowed_origins, updated_at = now()
     returning ${COLUMNS}, (xmax <> 0) as replaced`,
    [input.name, input.description, input.valueEncrypted, input.hint, input.allowedOrigins, input.createdBy],
  );
  return { credential: toCredential(rows[0]!), replaced: rows[0]!.replaced, before: before && toCredential(before) };
}

export async function deleteCredential(db: Queryable, name: string): Promise<Credential | undefined> {
  const { rows } = await db.query<CredentialRow>(`delete from credentials where name = $1 returning ${COLUMNS}`, [name]);
  return rows[0] && toCredential(rows[0]);
}

export async function encryptedCredentialValue(db: Queryable, name: string): Promise<{ valueEncrypted: string; allowedOrigins: string[] } | undefined> {
  const { rows } = await db.query<{ value_encrypted: string; allowed_origins: string[] }>('select value_encrypted, allowed_origins from credentials where name = $1', [name]);
  return rows[0] && { valueEncrypted: rows[0].value_encrypted, allowedOrigins: rows[0].allowed_origins };
}

/** The origins each named credential may be sent to (names that do not exist are absent). */
export async function credentialOrigins(db: Queryable, names: string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ name: string; allowed_origins: string[] }>('select name, allowed_origins from credentials where name = any($1::text[])', [names]);
  return new Map(rows.map((r) => [r.name, r.allowed_origins]));
}
