import { parentPort } from 'node:worker_threads';
import { releaseIfGrown, runSandboxed, warmUp, type SandboxLimits, type SandboxResult } from './quickjs.ts';

/** Entry of a sandbox worker thread: one request at a time, answered by id. */
export interface SandboxRequest {
  id: number;
  source: string;
  input: unknown;
  limits: SandboxLimits;
}

export interface SandboxAnswer {
  id: number;
  result: SandboxResult;
  /** The interpreter's heap grew during the call: the host retires this thread instead of keeping it idle. */
  heapGrew: boolean;
}

// Compile and warm the WebAssembly before saying ready: the host's deadline for a script
// starts only then, so a slow start on a busy machine never counts against the script.
await warmUp();
parentPort!.postMessage({ ready: true });

parentPort!.on('message', async (req: SandboxRequest) => {
  const result = await runSandboxed(req.source, req.input, req.limits);
  const answer: SandboxAnswer = { id: req.id, result, heapGrew: releaseIfGrown() };
  parentPort!.postMessage(answer);
});
