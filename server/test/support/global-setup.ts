import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One throwaway PostgreSQL for the whole integration run, in a temp folder removed at
 * the end. A migrated `template_tripline` database is cloned per test file (fast isolation).
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-test-'));
  fs.chmodSync(dir, 0o777);
  const db = await startEmbeddedPostgres(dir, createLogger('warn'));
  const admin = db.url.replace(/\/tripline$/, '/postgres');
  const client = new pg.Client(admin);
  await client.connect();
  await client.query('create database template_tripline');
  await client.end();
  await migrate(admin.replace(/\/postgres$/, '/template_tripline'));
  project.provide('pgAdminUrl', admin);
  return async () => {
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
