import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PG_MIGRATE_LOCK_ID, runner, type MigrationBuilder } from 'node-pg-migrate';
import type { Logger } from '../logger.ts';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../migrations');

/**
 * A SQL migration whose text contains this line runs outside a transaction, one statement
 * at a time: `create index concurrently` (which builds an index on a large table without
 * blocking writes) refuses to run inside a transaction block or a multi-statement query.
 * Such a file must be safe to run again after a failure (`if not exists` / `if exists`).
 */
export const NO_TRANSACTION_MARKER = /^--\s*tripline:no-transaction\s*$/m;

/** Splits SQL on top-level semicolons (not inside quotes, dollar quotes or comments). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "'") {
      const end = sql.indexOf("'", i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (!tag) i++;
      else {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
      }
    } else if (c === ';') {
      out.push(sql.slice(start, i + 1));
      i++;
      start = i;
    } else i++;
  }
  out.push(sql.slice(start));
  // Keep only pieces with something besides comments and blanks.
  return out.filter((s) => s.replace(/--.*$/gm, '').trim().length > 0).map((s) => s.trim());
}

function upSql(content: string): string {
  const up = content.search(/^\s*--[\s-]*up\s+migration/im);
  const down = content.search(/^\s*--[\s-]*down\s+migration/im);
  return content.slice(Math.max(up, 0), down > up ? down : undefined);
}

/** node-pg-migrate's SQL loader, plus the no-transaction marker above. */
async function loadSqlMigrations(filePaths: string[]) {
  return Promise.all(
    filePaths.map(async (filePath) => {
      const sql = upSql(await readFile(filePath, 'utf8'));
      const outside = NO_TRANSACTION_MARKER.test(sql);
      return {
        id: filePath,
        filePaths: [filePath],
        actions: {
          up: (pgm: MigrationBuilder) => {
            if (!outside) return pgm.sql(sql);
            pgm.noTransaction();
            for (const statement of splitStatements(sql)) pgm.sql(statement);
          },
          down: false as const,
        },
      };
    }),
  );
}

/**
 * Applies pending SQL migrations with node-pg-migrate: recorded in `pgmigrations`,
 * forward-only, serialised by an advisory lock so two processes starting at once are safe.
 *
 * The lock is taken here, by polling on a connection of its own, instead of by
 * node-pg-migrate's blocking `pg_advisory_lock`: a process blocked in that call holds a
 * snapshot, `create index concurrently` in the migrating process waits for every older
 * snapshot, and the two would deadlock.
 */
export interface MigrateOptions {
  /** Tests re-apply one old migration on a database that already has later ones. */
  allowOutOfOrder?: boolean;
}

export async function migrate(databaseUrl: string, log?: Logger, options: MigrateOptions = {}): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    while (!(await lock.query<{ ok: boolean }>(`select pg_try_advisory_lock(${PG_MIGRATE_LOCK_ID}) as ok`)).rows[0]!.ok) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const applied = await runner({
      databaseUrl,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      checkOrder: !options.allowOutOfOrder,
      noLock: true,
      singleTransaction: true,
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: loadSqlMigrations }],
      log: () => {},
      logger: {
        debug: () => {},
        info: () => {},
        // node-pg-migrate warns when it commits around a no-transaction migration: that is the point of the marker.
        warn: (m: string) => (/transaction/i.test(m) ? undefined : log?.warn(m)),
        error: (m: string) => log?.error(m),
      },
    });
    const names = applied.map((m) => m.name);
    if (names.length) log?.info({ applied: names }, 'migrations applied');
    return names;
  } finally {
    await lock.query(`select pg_advisory_unlock(${PG_MIGRATE_LOCK_ID})`).catch(() => {});
    await lock.end();
  }
}
