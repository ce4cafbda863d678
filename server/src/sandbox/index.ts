import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type SandboxLimits, type SandboxResult } from './quickjs.ts';
import type { SandboxAnswer, SandboxRequest } from './thread.ts';

/**
 * Host side of the code sandbox. Scripts run in QuickJS (see quickjs.ts) inside worker
 * threads, so even a script stuck in one slow built-in (the interrupt handler only runs
 * between instructions) cannot hold the engine's event loop: past a hard deadline the
 * thread is terminated and the step fails.
 *
 * The pool is bounded: at most MAX_THREADS threads (one per core, at most four), each
 * with a heap of at most its interpreter's base plus the largest step limit; calls beyond
 * that wait in a FIFO queue. Each call has one wall-clock deadline, counted from the moment
 * it asks for a thread (queue included): a queue that does not move fails the step as
 * "busy" rather than piling up. Idle threads are kept for reuse (starting one and compiling
 * the WebAssembly costs a few hundred ms), except a thread whose heap grew: it is retired.
 */

export type { SandboxLimits, SandboxResult } from './quickjs.ts';
export { DEFAULT_LIMITS } from './quickjs.ts';

export const MAX_THREADS = Math.max(1, Math.min(4, os.availableParallelism()));

/**
 * A call's wall-clock deadline, queue included. The CPU limit (measured as the thread's CPU
 * time) stops a busy script; this only catches a thread stuck inside one long built-in or a
 * queue that does not move, so it is generous: a loaded machine must not trip it.
 */
export function wallDeadlineMs(limits: SandboxLimits): number {
  return 5000 + 10 * limits.timeoutMs;
}

/** How long a new thread may take to load QuickJS before the call fails (a machine under heavy load). */
const STARTUP_TIMEOUT_MS = 30_000;

interface Waiter {
  grant: (worker: Promise<Worker>) => void;
  timer: NodeJS.Timeout;
}

const idle: Worker[] = [];
const queue: Waiter[] = [];
let threads = 0;
let peakThreads = 0;
let nextId = 1;
/** How long each new thread took to start, until its first call takes it (that call's deadline is moved by it). */
const startupMs = new WeakMap<Worker, number>();

/** The pool's state, for tests and diagnostics. */
export function sandboxStats(): { threads: number; idle: number; queued: number; peakThreads: number; maxThreads: number } {
  return { threads, idle: idle.length, queued: queue.length, peakThreads, maxThreads: MAX_THREADS };
}

/** A new thread, once it has compiled QuickJS and said ready. */
function spawn(): Promise<Worker> {
  const startedAt = performance.now();
  const worker = new Worker(new URL('./thread.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 128 } });
  worker.unref();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the sandbox did not start within ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    const onReady = (msg: { ready?: boolean }) => {
      if (!msg.ready) return;
      clearTimeout(timer);
      worker.off('message', onReady);
      worker.off('error', onError);
      startupMs.set(worker, performance.now() - startedAt);
      resolve(worker);
    };
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    worker.on('message', onReady);
    worker.on('error', onError);
  });
}

/** Counts a thread from the moment it is asked for, so the cap holds while threads start. */
function startThread(): Promise<Worker> {
  threads++;
  peakThreads = Math.max(peakThreads, threads);
  return spawn().catch((error: unknown) => {
    threads--;
    passOn();
    throw error;
  });
}

/** A free thread (or a free slot) goes to the first call in the queue, else the thread goes idle. */
function passOn(worker?: Worker): void {
  const next = worker || threads < MAX_THREADS ? queue.shift() : undefined;
  if (worker) {
    if (next) next.grant(Promise.resolve(worker));
    else idle.push(worker);
    return;
  }
  next?.grant(startThread());
}

function retire(worker: Worker): void {
  void worker.terminate();
  threads--;
  passOn();
}

/** A thread for a call: an idle one, a new one under the cap, or a place in the queue until `deadlineAt` (null then). */
function acquire(deadlineAt: number): Promise<Worker | null> {
  const ready = idle.pop();
  if (ready) return Promise.resolve(ready);
  if (threads < MAX_THREADS) return startThread();
  return new Promise((resolve) => {
    const waiter: Waiter = {
      grant: (worker) => {
        clearTimeout(waiter.timer);
        resolve(worker);
      },
      timer: setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        resolve(null);
      }, deadlineAt - performance.now()),
    };
    queue.push(waiter);
  });
}

/** `deadlineMs`: the call's wall-clock deadline, queue included (default: wallDeadlineMs(limits)). */
export async function runCode(source: string, input: unknown, limits: SandboxLimits = DEFAULT_LIMITS, { deadlineMs }: { deadlineMs?: number } = {}): Promise<SandboxResult> {
  const budget = deadlineMs ?? wallDeadlineMs(limits);
  let deadlineAt = performance.now() + budget;
  let worker: Worker | null;
  try {
    worker = await acquire(deadlineAt);
  } catch (error) {
    return { ok: false, reason: 'script', error: `the sandbox could not start: ${(error as Error).message}` };
  }
  if (!worker) return { ok: false, reason: 'busy', error: `the sandbox was busy: no thread was free within ${budget / 1000} s (the step's deadline), so the code did not run` };
  const thread = worker;
  // A cold start (loading QuickJS, seconds on a loaded machine; STARTUP_TIMEOUT_MS bounds it)
  // is not the script's time: without this, the first script after a start could be stopped
  // before it ran at all.
  deadlineAt += startupMs.get(thread) ?? 0;
  startupMs.delete(thread);
  const id = nextId++;
  const request: SandboxRequest = { id, source, input, limits };
  return new Promise<SandboxResult>((resolve) => {
    let settled = false;
    const finish = (result: SandboxResult, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      thread.off('message', onMessage);
      thread.off('error', onError);
      if (reusable) passOn(thread);
      else retire(thread);
      resolve(result);
    };
    const onMessage = (msg: SandboxAnswer) => {
      if (msg.id === id) finish(msg.result, !msg.heapGrew);
    };
    const onError = (error: Error) => finish({ ok: false, reason: 'script', error: `the sandbox thread failed: ${error.message}` }, false);
    const timer = setTimeout(
      () => finish({ ok: false, reason: 'timeout', error: `the code did not finish within its deadline of ${budget / 1000} s (CPU limit ${limits.timeoutMs} ms) and was stopped` }, false),
      Math.max(0, deadlineAt - performance.now()),
    );
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.postMessage(request);
  });
}

/** Ends the idle threads (tests, shutdown); busy ones end when their call settles. */
export async function closeSandbox(): Promise<void> {
  const ending = idle.splice(0);
  threads -= ending.length;
  await Promise.all(ending.map((w) => w.terminate()));
}
