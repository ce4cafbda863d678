/**
 * `npm run simulate`: sends a believable stream of store events (orders, payments,
 * shipping, refunds, stock changes, carts, customers) to a running Tripline.
 *
 *   TRIPLINE_URL=http://localhost:3000 TRIPLINE_API_KEY=… npm run simulate -- --rate 2 --count 500
 *
 * Options: --rate events per second (default 2), --count stop after this many (default:
 * run until Ctrl-C), --seed a number for a repeatable story.
 */
import { parseArgs } from 'node:util';
import { StoreSimulator } from './store.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2' },
    count: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('Usage: TRIPLINE_URL=… TRIPLINE_API_KEY=… npm run simulate -- [--rate 2] [--count 500] [--seed 1]');
  process.exit(0);
}

const baseUrl = (process.env.TRIPLINE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const apiKey = process.env.TRIPLINE_API_KEY;
if (!apiKey) {
  console.error('Set TRIPLINE_API_KEY to an API key with the events:ingest permission (the one Tripline was started with works).');
  process.exit(2);
}
const rate = Number(values.rate);
if (!(rate > 0 && rate <= 1000)) {
  console.error('--rate must be a number of events per second between 0 and 1000');
  process.exit(2);
}
const limit = values.count === undefined ? Infinity : Number(values.count);
const sim = new StoreSimulator(values.seed === undefined ? {} : { seed: Number(values.seed) });

let sent = 0;
let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
});

console.log(`Sending store events to ${baseUrl} at ${rate}/s${Number.isFinite(limit) ? `, ${limit} in all` : ''}. Ctrl-C stops.`);
const started = Date.now();
while (!stopping && sent < limit) {
  // Send what is due since the start, batched, so high rates need few requests.
  const due = Math.min(limit, Math.floor(((Date.now() - started) / 1000) * rate) + 1) - sent;
  if (due > 0) {
    const events = sim.batch(Math.min(due, 1000));
    const res = await fetch(`${baseUrl}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(events),
    }).catch((error: unknown) => {
      console.error(`Cannot reach ${baseUrl}: ${(error as Error).message}`);
      return undefined;
    });
    if (!res) {
      await sleep(2000);
      continue;
    }
    if (res.status !== 202) {
      console.error(`Tripline answered ${res.status}: ${await res.text()}`);
      process.exit(1);
    }
    sent += events.length;
    for (const e of events.slice(-3)) console.log(`${e.type.padEnd(28)} ${JSON.stringify(e.data).slice(0, 100)}`);
  }
  await sleep(Math.max(50, 1000 / rate));
}
console.log(`Sent ${sent} events.`);

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
