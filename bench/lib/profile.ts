/**
 * Load-independent evidence for a bench step (`--profile`): CPU used by the Tripline
 * process, by PostgreSQL (the postmaster and its backends) and by the bench itself,
 * commits and statements in the scenario's database, and where a run's latency goes (the
 * server's `tripline_hot_path_seconds` histogram: time from an event's arrival to each
 * stage). Figures are per event of the step, so they stay comparable when the machine is
 * shared (wall-clock rates do not).
 */
import fs from 'node:fs';
import pg from 'pg';

const CLK_TCK = 100;

/** utime + stime (+ reaped children's) of a process, in ms; 0 once it has gone. */
function cpuMs(pid: number, withChildren: boolean): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    const own = Number(f[11]) + Number(f[12]);
    return ((withChildren ? own + Number(f[13]) + Number(f[14]) : own) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** The postmaster's CPU with its reaped children, plus its live children (backends, walwriter …). */
function postgresCpuMs(postmasterPid: number): number {
  let total = cpuMs(postmasterPid, true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmasterPid) total += cpuMs(Number(entry), false);
    } catch {
      // gone meanwhile: its time is in the postmaster's cutime now
    }
  }
  return total;
}

export function postmasterPidOf(pgDataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(`${pgDataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

type Buckets = Map<string, { le: number[]; counts: number[]; sum: number; count: number }>;

async function hotPath(serverUrl: string, apiKey: string): Promise<Buckets> {
  const out: Buckets = new Map();
  const text = await fetch(`${serverUrl}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })
    .then((r) => r.text())
    .catch(() => '');
  for (const line of text.split('\n')) {
    const m = /^tripline_hot_path_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const stage = labels.stage!;
    const s = out.get(stage) ?? { le: [], counts: [], sum: 0, count: 0 };
    out.set(stage, s);
    if (m[1] === 'bucket') {
      s.le.push(labels.le === '+Inf' ? Infinity : Number(labels.le));
      s.counts.push(Number(m[3]));
    } else if (m[1] === 'sum') s.sum = Number(m[3]);
    else s.count = Number(m[3]);
  }
  return out;
}

export interface ProfileOptions {
  serverPid: number | undefined;
  serverUrl: string;
  apiKey: string;
  postmasterPid: number | undefined;
  /** A connection to the database that has pg_stat_statements (when loaded), and the scenario's database name. */
  adminUrl: string;
  dbUrl: string;
}

interface Snapshot {
  at: number;
  nodeMs: number;
  pgMs: number;
  benchMs: number;
  commits: number;
  statements: number | null;
  hot: Buckets;
  top: Map<string, { calls: number; ms: number }>;
}

async function snapshot(o: ProfileOptions): Promise<Snapshot> {
  const dbName = new URL(o.dbUrl).pathname.slice(1);
  const c = new pg.Client(o.adminUrl);
  await c.connect();
  try {
    const commits = Number((await c.query(`select xact_commit from pg_stat_database where datname = $1`, [dbName])).rows[0]?.xact_commit ?? 0);
    let statements: number | null = null;
    const top = new Map<string, { calls: number; ms: number }>();
    try {
      const { rows } = await c.query(
        `select query, calls::float8 as calls, total_exec_time as ms from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
        [dbName],
      );
      statements = 0;
      for (const r of rows) {
        statements += r.calls;
        const key = String(r.query).replace(/\s+/g, ' ').slice(0, 90);
        const t = top.get(key) ?? { calls: 0, ms: 0 };
        t.calls += r.calls;
        t.ms += r.ms;
        top.set(key, t);
      }
    } catch {
      // pg_stat_statements not loaded (bench without --profile, or DATABASE_URL)
    }
    const cpu = process.cpuUsage();
    return {
      at: Date.now(),
      nodeMs: o.serverPid ? cpuMs(o.serverPid, false) : 0,
      pgMs: o.postmasterPid ? postgresCpuMs(o.postmasterPid) : 0,
      benchMs: (cpu.user + cpu.system) / 1000,
      commits,
      statements,
      hot: await hotPath(o.serverUrl, o.apiKey),
      top,
    };
  } finally {
    await c.end();
  }
}

/** Median of a histogram's delta, interpolated inside its bucket (ms). */
function p50Ms(le: number[], counts: number[]): number | null {
  const total = counts.at(-1) ?? 0;
  if (total === 0) return null;
  const half = total / 2;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! >= half) {
      const lo = i === 0 ? 0 : le[i - 1]!;
      const hi = le[i] === Infinity ? lo : le[i]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - below;
      return round((lo + (inBucket ? ((half - below) / inBucket) * (hi - lo) : 0)) * 1000, 1);
    }
  }
  return null;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export interface Profile {
  events: number;
  seconds: number;
  cpuMsPerEvent: { node: number; postgres: number; bench: number };
  /** Share of the two cores used over the step (1 = one core busy). */
  coresBusy: { node: number; postgres: number; bench: number };
  commitsPerEvent: number;
  statementsPerEvent: number | null;
  /** Per stage: ms from arrival, p50 and mean, and how many observations. */
  stagesMs: Record<string, { p50: number | null; mean: number | null; n: number }>;
  topStatements?: { query: string; perEvent: number; msPerEvent: number }[];
  /** pg_stat_activity sampled every 20 ms: share of samples per backend state and wait (Tripline's connections only). */
  waits: Record<string, number>;
}

/** Samples what the scenario database's backends are doing until `stop` is called. */
function sampleWaits(adminUrl: string, dbName: string): { stop(): Promise<Record<string, number>> } {
  const tally = new Map<string, number>();
  let samples = 0;
  let running = true;
  const c = new pg.Client(adminUrl);
  const done = (async () => {
    await c.connect();
    while (running) {
      const { rows } = await c.query(
        `select state, coalesce(wait_event_type || ':' || wait_event, 'cpu') as w, left(query, 40) as q from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend' and state <> 'idle'`,
        [dbName],
      );
      samples++;
      for (const r of rows) {
        const key = r.w === 'Client:ClientRead' ? `${r.state} ClientRead (waiting for Node)` : r.w === 'cpu' ? `active on CPU` : `${r.w} (${String(r.q).split(' ')[0]}…)`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.end();
  })();
  return {
    async stop() {
      running = false;
      await done.catch(() => {});
      // Average number of backends in each state at any moment.
      return Object.fromEntries([...tally].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => [k, round(n / Math.max(1, samples))]));
    },
  };
}

export async function profileStep<T>(o: ProfileOptions, events: () => number, step: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  const before = await snapshot(o);
  const sampler = sampleWaits(o.adminUrl, new URL(o.dbUrl).pathname.slice(1));
  const result = await step();
  const waits = await sampler.stop();
  // Statistics reach the shared views up to a second after the transactions end.
  await new Promise((r) => setTimeout(r, 1100));
  const after = await snapshot(o);
  const n = Math.max(1, events());
  const seconds = (after.at - before.at) / 1000;
  const stagesMs: Profile['stagesMs'] = {};
  for (const [stage, a] of after.hot) {
    const b = before.hot.get(stage);
    const counts = a.counts.map((x, i) => x - (b?.counts[i] ?? 0));
    const count = a.count - (b?.count ?? 0);
    stagesMs[stage] = { p50: p50Ms(a.le, counts), mean: count ? round(((a.sum - (b?.sum ?? 0)) / count) * 1000, 1) : null, n: count };
  }
  const profile: Profile = {
    events: n,
    seconds: round(seconds),
    cpuMsPerEvent: { node: round((after.nodeMs - before.nodeMs) / n), postgres: round((after.pgMs - before.pgMs) / n), bench: round((after.benchMs - before.benchMs) / n) },
    coresBusy: {
      node: round((after.nodeMs - before.nodeMs) / 1000 / seconds),
      postgres: round((after.pgMs - before.pgMs) / 1000 / seconds),
      bench: round((after.benchMs - before.benchMs) / 1000 / seconds),
    },
    commitsPerEvent: round((after.commits - before.commits) / n),
    statementsPerEvent: after.statements !== null && before.statements !== null ? round((after.statements - before.statements) / n) : null,
    stagesMs,
    waits,
  };
  if (after.statements !== null) {
    profile.topStatements = [...after.top]
      .map(([query, a]) => {
        const b = before.top.get(query);
        return { query, perEvent: round((a.calls - (b?.calls ?? 0)) / n), msPerEvent: round((a.ms - (b?.ms ?? 0)) / n, 3) };
      })
      .filter((x) => x.perEvent > 0)
      // BENCH_STATEMENTS_BY_CALLS=1: every statement, most frequent first (round trips), instead of the 15 costliest.
      .sort((x, y) => (process.env.BENCH_STATEMENTS_BY_CALLS ? y.perEvent - x.perEvent : y.msPerEvent - x.msPerEvent))
      .slice(0, process.env.BENCH_STATEMENTS_BY_CALLS ? 60 : 15);
  }
  return { result, profile };
}

export function describeProfile(label: string, p: Profile): string {
  const stages = Object.entries(p.stagesMs)
    .filter(([, s]) => s.n > 0)
    .map(([k, s]) => `${k} ${s.p50}/${s.mean}`)
    .join(', ');
  const lines = [
    `${label}: ${p.events} events in ${p.seconds} s; CPU ms/event node ${p.cpuMsPerEvent.node}, postgres ${p.cpuMsPerEvent.postgres}, bench ${p.cpuMsPerEvent.bench} (cores busy ${p.coresBusy.node} / ${p.coresBusy.postgres} / ${p.coresBusy.bench}); commits/event ${p.commitsPerEvent}; statements/event ${p.statementsPerEvent ?? '–'}`,
    `  ms from arrival (p50/mean): ${stages}`,
    `  backends busy on average: ${Object.entries(p.waits).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  for (const t of p.topStatements ?? []) lines.push(`    ${t.perEvent}×  ${t.msPerEvent} ms  ${t.query}`);
  return lines.join('\n');
}
