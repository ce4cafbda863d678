import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { ActivityHub } from './activity.ts';
import { deliveriesListRouter } from './deliveries-list.ts';
import { endpointHealthRouter } from './endpoint-health.ts';
import { inboxLocalReceiver, inboxReceiverRouter, inboxRouter } from './inbox.ts';
import { createMetricsRegistry, metricsRouter } from './metrics.ts';
import { retentionRouter, startRetention } from './retention.ts';
import { startRollupFolding } from './rollup-folding.ts';
import { simulatorRouter, startSimulatorLoop } from './simulator.ts';
import { statsRouter } from './stats.ts';
import { streamRouter } from './stream.ts';

/**
 * The operations console's server side: live activity (SSE over LISTEN/NOTIFY), dashboard
 * stats, Prometheus metrics, endpoint health, retention, the store simulator and the
 * built-in test inboxes.
 */
export function consoleFeature(ctx: AppContext): Feature {
  const hub = new ActivityHub(ctx.listener, ctx.pool, ctx.log);
  // Deliveries to Tripline's own test inboxes are answered in-process by the delivery
  // worker: their URL is this server (loopback), which the SSRF guard keeps refusing.
  ctx.bus.provide('localReceiver', inboxLocalReceiver(ctx));
  // The listener connection ends with the queue, the last thing a process stops.
  ctx.boss.once('stopped', () => void hub.close());
  const registry = createMetricsRegistry(ctx.pool, ctx.boss);
  return {
    name: 'console',
    apiRouters: [
      endpointHealthRouter(ctx.pool, ctx.config.allowPrivateTargets),
      streamRouter(hub, ctx),
      statsRouter(ctx.pool),
      retentionRouter(ctx, ctx.boss),
      simulatorRouter(ctx),
      inboxRouter(ctx),
      deliveriesListRouter(ctx),
    ],
    publicRouters: [inboxReceiverRouter(ctx), metricsRouter(registry, ctx, '/api/v1')],
    rootRouters: [metricsRouter(registry, ctx)],
    startWorkers: async () => {
      await startRetention(ctx);
      startRollupFolding(ctx);
      startSimulatorLoop(ctx);
    },
  };
}
