import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type SandboxLimits, type SandboxResult } from './quickjs.ts';
import type { SandboxRequest } from './thread.ts';

/**
 * Host side of the code sandbox. Scripts run in QuickJS (see quickjs.ts) inside worker
 * threads, so even a script stuck in one slow built-in (the interrupt handler only runs
 * between instructions) cannot hold the engine's event loop: past a hard deadline the
 * thread is terminated and the step fails. Idle threads are kept for reuse (starting one
 * and compiling the WebAssembly costs a few hundred ms).
 */

export type { SandboxLimits, SandboxResult } from './quickjs.ts';
export { DEFAULT_LIMITS } from './quickjs.ts';

const MAX_IDLE = 2;
/** Past the CPU limit, how long a ready thread may take before it is killed (GC, a busy machine). */
const HARD_DEADLINE_GRACE_MS = 2000;

const idle: Worker[] = [];
let nextId = 1;

/** How long a new thread may take to load QuickJS before the call fails (a machine under heavy load). */
const STARTUP_TIMEOUT_MS = 30_000;

/** A new thread, once it has compiled QuickJS and said ready. */
function spawn(): Promise<Worker> {
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

export async function runCode(source: string, input: unknown, limits: SandboxLimits = DEFAULT_LIMITS): Promise<SandboxResult> {
  let worker: Worker;
  try {
    worker = idle.pop() ?? (await spawn());
  } catch (error) {
    return { ok: false, reason: 'script', error: `the sandbox could not start: ${(error as Error).message}` };
  }
  const id = nextId++;
  const request: SandboxRequest = { id, source, input, limits };
  return new Promise<SandboxResult>((resolve) => {
    let settled = false;
    const finish = (result: SandboxResult, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      if (reusable && idle.length < MAX_IDLE) idle.push(worker);
      else void worker.terminate();
      resolve(result);
    };
    const onMessage = (msg: { id: number; result: SandboxResult }) => {
      if (msg.id === id) finish(msg.result, true);
    };
    const onError = (error: Error) => finish({ ok: false, reason: 'script', error: `the sandbox thread failed: ${error.message}` }, false);
    const timer = setTimeout(
      () => finish({ ok: false, reason: 'timeout', error: `the code ran longer than its CPU limit of ${limits.timeoutMs} ms and was stopped` }, false),
      limits.timeoutMs + HARD_DEADLINE_GRACE_MS,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(request);
  });
}

/** Ends the idle threads (tests, shutdown); busy ones end when their call settles. */
export async function closeSandbox(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}
