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
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
}

const COLUMNS = 'name, description, hint, created_at, created_by, updated_at';

function toCredential(row: CredentialRow): Credential {
  return {
    name: row.name,
    description: row.description,
    hint: row.hint,
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
  input: { name: string; description: string | null; valueEncrypted: string; hint: string; createdBy: string },
): Promise<{ credential: Credential; replaced: boolean }> {
  const { rows } = await db.query<CredentialRow & { replaced: boolean }>(
    `insert into credentials (name, description, value_encrypted, hint, created_by) values ($1, $2, $3, $4, $5)
     on conflict (name) do update set description = excluded.description, value_encrypted = excluded.value_encrypted,
       hint = excluded.hint, updated_at = now()
     returning ${COLUMNS}, (xmax <> 0) as replaced`,
    [input.name, input.description, input.valueEncrypted, input.hint, input.createdBy],
  );
  return { credential: toCredential(rows[0]!), replaced: rows[0]!.replaced };
}

export async function deleteCredential(db: Queryable, name: string): Promise<Credential | undefined> {
  const { rows } = await db.query<CredentialRow>(`delete from credentials where name = $1 returning ${COLUMNS}`, [name]);
  return rows[0] && toCredential(rows[0]);
}

export async function encryptedCredentialValue(db: Queryable, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ value_encrypted: string }>('select value_encrypted from credentials where name = $1', [name]);
  return rows[0]?.value_encrypted;
}
