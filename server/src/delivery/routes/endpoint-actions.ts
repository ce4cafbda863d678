import { deliverySummarySchema, endpointSchema, recoverInputSchema, recoverResultSchema, rotateSecretInputSchema, rotateSecretResultSchema, testEndpointInputSchema } from '@tripline/shared';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { loadEndpoint, recoverEndpoint, rotateSecret, sendTestEvent } from '../endpoint-operations.ts';
import { toDeliverySummary, toEndpoint } from '../endpoints-store.ts';
import { endpointEnabled } from '../state-machine.ts';
import type { DeclareRoute } from './declare.ts';

const tag = 'Endpoints';

/** What a person does to an endpoint beyond editing it: test it, rotate its secret, enable it, recover after an outage. */
export function declareEndpointActionRoutes(route: DeclareRoute, ctx: AppContext): void {
  route(
    {
      method: 'post',
      path: '/endpoints/:id/test',
      access: 'endpoints:write',
      tag,
      summary: 'Send the catalog example of an event type to this endpoint',
      body: testEndpointInputSchema,
      response: deliverySummarySchema,
      status: 202,
    },
    async ({ req, params, body: { eventType } }) => toDeliverySummary(await sendTestEvent(ctx, actorFrom(req), params.id!, eventType)),
  );

  route(
    {
      method: 'post',
      path: '/endpoints/:id/rotate-secret',
      access: 'endpoints:write',
      tag,
      summary: 'New signing secret; the old one keeps signing for the grace period',
      body: rotateSecretInputSchema,
      response: rotateSecretResultSchema,
    },
    async ({ req, params, body: { graceSeconds } }) => {
      const { secret, row } = await rotateSecret(ctx, actorFrom(req), params.id!, graceSeconds);
      return { secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null };
    },
  );

  route(
    { method: 'post', path: '/endpoints/:id/enable', access: 'endpoints:write', tag, summary: 'Enable a disabled endpoint and resume its paused deliveries', response: endpointSchema },
    async ({ req, params }) => {
      const id = params.id!;
      const row = await withTransaction(ctx.pool, async (tx) => {
        const before = await loadEndpoint(tx, id, true);
        const { row: after, resumed } = await endpointEnabled(tx, id);
        await recordAudit(tx, actorFrom(req), {
          action: 'endpoint.enable',
          targetType: 'endpoint',
          targetId: id,
          before: { enabled: before.enabled, disabledReason: before.disabled_reason },
          after: { enabled: true, resumedDeliveries: resumed },
        });
        return after;
      });
      return toEndpoint(row);
    },
  );

  route(
    {
      method: 'post',
      path: '/endpoints/:id/recover',
      access: 'deliveries:replay',
      tag,
      summary: 'Send again every failed or paused delivery since a time',
      body: recoverInputSchema,
      response: recoverResultSchema,
      status: 202,
    },
    ({ req, params, body: { since } }) => recoverEndpoint(ctx, actorFrom(req), params.id!, since),
  );
}
