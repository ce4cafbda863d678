import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startTripline, type Tripline } from '../../src/runtime.ts';
import { cloneDatabase } from './database.ts';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
export const TEST_ADMIN = { email: 'admin@test.local', password: 'correct horse battery' };

export interface TestTripline extends Tripline {
  url: string;
  databaseUrl: string;
  /** fetch against the API with the admin API key. */
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
}

/** A whole Tripline (API + workers) on its own database and a free port. */
export async function startTestTripline(env: Record<string, string> = {}): Promise<TestTripline> {
  const db = await cloneDatabase();
  const tripline = await startTestTriplineOn(db.url, { TRIPLINE_RETRY_SCHEDULE: '200ms,400ms,800ms', ...env });
  return {
    ...tripline,
    async stop() {
      await tripline.stop();
      await db.drop();
    },
  };
}

/**
 * A whole Tripline on a database the test keeps (to stop it and start another on the same
 * data, a restart); `PORT` in `env` to come back at the same address. Stopping it leaves the database.
 */
export async function startTestTriplineOn(databaseUrl: string, env: Record<string, string> = {}): Promise<TestTripline> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    TRIPLINE_API_KEY: TEST_API_KEY,
    TRIPLINE_ADMIN_EMAIL: TEST_ADMIN.email,
    TRIPLINE_ADMIN_PASSWORD: TEST_ADMIN.password,
    TRIPLINE_SECRET_KEY: 'a'.repeat(64),
    TRIPLINE_ALLOW_PRIVATE_TARGETS: '1',
    TRIPLINE_DEMO_DATA: '0',
    TRIPLINE_LOG_LEVEL: process.env.TRIPLINE_TEST_LOG ?? 'silent',
    ...env,
  });
  const tripline = await startTripline(config, createLogger(config.logLevel));
  const url = tripline.url!;
  return { ...tripline, url, databaseUrl, api: apiAt(url) };
}

/** fetch against a Tripline at baseUrl with the admin API key; `json` sets the body and content type. */
export function apiAt(baseUrl: string) {
  return (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TEST_API_KEY}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(baseUrl + path, { ...init, headers, body });
  };
}
