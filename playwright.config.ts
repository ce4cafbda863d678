import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3917);
const dataDir = path.join(os.tmpdir(), `tripline-e2e-${process.pid}`);

export const E2E_ADMIN = { email: 'admin@e2e.local', password: 'e2e-password-123' };
export const E2E_API_KEY = 'e2e-api-key-0123456789abcdef';

export default defineConfig({
  testDir: 'e2e/tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    // The real stack: API, workers and the built UI on an embedded PostgreSQL in a temp folder.
    command: `node scripts/e2e-server.mjs`,
    url: `http://localhost:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      PORT: String(port),
      TRIPLINE_DATA_DIR: dataDir,
      TRIPLINE_ADMIN_EMAIL: E2E_ADMIN.email,
      TRIPLINE_ADMIN_PASSWORD: E2E_ADMIN.password,
      TRIPLINE_API_KEY: E2E_API_KEY,
      TRIPLINE_ALLOW_PRIVATE_TARGETS: '1',
      TRIPLINE_RETRY_SCHEDULE: '500ms,1s,2s',
      TRIPLINE_LOG_LEVEL: 'warn',
      ...(process.env.TRIPLINE_WEB_DIST ? { TRIPLINE_WEB_DIST: process.env.TRIPLINE_WEB_DIST } : {}),
    },
  },
});
