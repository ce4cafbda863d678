import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.ts';
import { baseEnv, freeLocalPort } from '../reliability/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-lock-'));
  dirs.push(dir);
  return dir;
}

/** A separate process (its own process group, as a service manager starts one) holding the lock. */
async function holder(dir: string): Promise<ChildProcess> {
  const script = `import { lockDataDir } from './server/src/db/data-dir-lock.ts';
    await lockDataDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before locking`)));
  });
  return child;
}

describe('the data-folder lock (item 14)', () => {
  it('refuses a second live Tripline, naming the holder', async () => {
    const dir = tempDir();
    const child = await holder(dir);
    const error = await lockDataDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect(String(error)).toContain(`process ${child.pid}`);
  });

  it('is free again at once after the holder\'s process group is killed with SIGKILL', async () => {
    const dir = tempDir();
    const child = await holder(dir);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(fs.existsSync(path.join(dir, 'tripline.lock'))).toBe(true); // the stale socket file is still there
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('ignores a pid file left by an older version, even when that pid is alive (reused)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tripline.pid'), String(process.ppid));
    const lock = await lockDataDir(dir);
    const second = await lockDataDir(dir).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DataDirInUseError);
    await lock.release();
    const third = await lockDataDir(dir);
    await third.release();
  });
});

/** `npm start` as an operator runs it: embedded PostgreSQL in the data folder, own process group. */
function startTripline(dir: string, port: number): { child: ChildProcess; output: () => string; ready: Promise<void>; exited: Promise<number | null> } {
  const env = baseEnv('', { TRIPLINE_DATA_DIR: dir, PORT: String(port) });
  delete (env as Record<string, string | undefined>).DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Tripline ready')) (clearInterval(timer), resolve());
    }, 50);
    void exited.then(() => (clearInterval(timer), reject(new Error(`Tripline exited before ready:\n${out.slice(-2000)}`))));
  });
  return { child, output: () => out, ready, exited };
}

describe('a whole Tripline on its data folder (item 14)', () => {
  it('starts again after its process group was killed with SIGKILL, and a second live one is refused', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o777); // embedded PostgreSQL runs as the postgres user when we are root
    const first = startTripline(dir, await freeLocalPort());
    await first.ready;
    const second = startTripline(dir, await freeLocalPort());
    second.ready.catch(() => undefined); // it is meant to exit before ready
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/in use by another Tripline \(process \d+\)/);

    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const again = startTripline(dir, await freeLocalPort());
    await again.ready;
    process.kill(-again.child.pid!, 'SIGTERM');
    await again.exited;
  }, 120_000);
});
