import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { discountFlow } from './node-red-flows.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const API_KEY = 'bench-api-key-0123456789abcdef';
export const ADMIN = { email: 'bench@tripline.local', password: 'bench password 123' };
export const SECRET_KEY = 'b'.repeat(64);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Peak resident set size of a process (VmHWM), in MB; undefined once it has exited. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  peakRss(): number | undefined;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The Node arguments `npm start` runs the server with (package.json's start script), so the
 * bench measures the process users run (its V8 young-generation size included).
 */
const START_ARGS: string[] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/).slice(1);

/** One Tripline process (as `npm start` runs it), as a real child process. */
export async function startTripline(
  name: string,
  databaseUrl: string,
  opts: { role?: 'api' | 'worker' | 'all'; env?: Record<string, string>; ready?: () => Promise<boolean> } = {},
): Promise<Proc> {
  const role = opts.role ?? 'all';
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tripline-bench-${name}-`));
  // BENCH_CPU_PROF=<dir>: each Tripline process writes a V8 CPU profile there when it stops (where Node's time goes).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, ...START_ARGS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      TRIPLINE_ROLE: role,
      TRIPLINE_API_KEY: API_KEY,
      TRIPLINE_SECRET_KEY: SECRET_KEY,
      TRIPLINE_ADMIN_EMAIL: ADMIN.email,
      TRIPLINE_ADMIN_PASSWORD: ADMIN.password,
      TRIPLINE_ALLOW_PRIVATE_TARGETS: '1',
      TRIPLINE_DEMO_DATA: '0',
      TRIPLINE_LOG_LEVEL: 'warn',
      TRIPLINE_DATA_DIR: dataDir,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    if (role === 'worker') {
      // A worker has no HTTP server: it is ready once its queue workers have started (it logs nothing at warn).
      await waitFor(opts.ready ?? (async () => true), `${name} to start`, 60_000, child);
      await new Promise((r) => setTimeout(r, 1000));
    } else {
      await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, `${name} to be healthy`, 60_000, child);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    name,
    child,
    url,
    peakRss: () => peakRssMb(child.pid),
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Node-RED as a real child process (installed once into the temp dir), running `flows`
 * (bench/lib/node-red-flows.ts: the discount flow by default). Function nodes reach Node's
 * `crypto` through the global context, so a flow can sign its requests as Tripline does.
 */
export async function startNodeRed(receiverUrl: string, log: (s: string) => void, flows: unknown[] = discountFlow(receiverUrl)): Promise<Proc> {
  const dir = path.join(os.tmpdir(), 'tripline-bench-node-red');
  const redJs = path.join(dir, 'node_modules', 'node-red', 'red.js');
  if (!fs.existsSync(redJs)) {
    log(`installing node-red into ${dir} (cached for later runs)`);
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(path.join(dir, 'package.json'))) fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"bench-node-red","private":true}');
    await new Promise<void>((resolve, reject) => {
      const npm = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'node-red@5'], { cwd: dir, stdio: 'inherit' });
      npm.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install node-red exited with ${code}`))));
      npm.on('error', reject);
    });
  }
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-bench-nr-user-'));
  const port = await freePort();
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', httpAdminRoot: false, credentialSecret: false,
      logging: { console: { level: 'warn', metrics: false, audit: false } }, diagnostics: { enabled: false },
      runtimeState: { enabled: false }, telemetry: { enabled: false }, editorTheme: { tours: false },
      functionGlobalContext: { crypto: require('node:crypto') } };\n`,
  );
  const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { PATH: process.env.PATH, HOME: userDir, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    // Readiness: the http-in route answers (a body without data.amount is dropped by the switch).
    await waitFor(
      async () => (await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ping":true}' })).status === 202,
      'node-red',
      60_000,
      child,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    name: 'node-red',
    child,
    url,
    peakRss: () => peakRssMb(child.pid),
    stop: async () => {
      await stopChild(child);
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
