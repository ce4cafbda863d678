import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { apiAt, TEST_ADMIN, TEST_API_KEY } from '../support/tripline.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The environment every Tripline child process of the reliability tests gets. */
export function baseEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    TRIPLINE_API_KEY: TEST_API_KEY,
    TRIPLINE_ADMIN_EMAIL: TEST_ADMIN.email,
    TRIPLINE_ADMIN_PASSWORD: TEST_ADMIN.password,
    TRIPLINE_SECRET_KEY: 'a'.repeat(64),
    TRIPLINE_ALLOW_PRIVATE_TARGETS: '1',
    TRIPLINE_DEMO_DATA: '0',
    TRIPLINE_LOG_LEVEL: 'info',
    TRIPLINE_RETRY_SCHEDULE: '200ms,400ms,800ms',
    TRIPLINE_DATA_DIR: '/tmp/tripline-reliability-unused',
    ...extra,
  };
}

/**
 * One real Tripline process (`node --import tsx server/src/main.ts`), as an operator runs
 * it, with its output kept so a test can wait for "Tripline ready" and read why it died.
 */
export class TriplineProcess {
  output = '';
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;

  private constructor(readonly name: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      // Keep memory bounded over thousands of log lines.
      if (this.output.length > 400_000) this.output = this.output.slice(-200_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exit = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `timeoutMs`: a start-up (tsx, migrations, pg-boss) takes a few seconds idle but far more on a loaded CI machine. */
  static async start(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<TriplineProcess> {
    const p = new TriplineProcess(name, env);
    await p.waitForOutput(/Tripline ready/, timeoutMs);
    return p;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.alive) throw new Error(`${this.name} exited before ${pattern}:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a signal and waits for the process to be gone (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000) {
    if (!this.alive) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

export async function freeLocalPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { apiAt };

export interface Hit {
  path: string;
  webhookId: string;
  eventId: string;
  at: number;
}

/** A loopback receiver that answers 200 after `delayMs`, recording each webhook-id it sees. */
export async function startRecordingReceiver(delayMs = 0): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let eventId = '';
      try {
        eventId = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).id);
      } catch {
        /* recorded with an empty event id */
      }
      hits.push({ path: req.url ?? '', webhookId: String(req.headers['webhook-id'] ?? ''), eventId, at: Date.now() });
      setTimeout(() => res.writeHead(200).end('ok'), delayMs);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const orderEvent = (i: number, prefix: string) => ({
  id: `${prefix}_${i}`,
  type: 'order.created',
  data: {
    orderId: `${prefix}_o${i}`,
    customerId: `cus_${i % 40}`,
    status: 'pending',
    total: (i * 37) % 100,
    currency: 'EUR',
    items: [{ sku: `SKU-${i % 7}`, quantity: 1, price: (i * 37) % 100 }],
  },
});
