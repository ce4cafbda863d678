import { CUSTOMER_RECENT_LIMIT, customerContextSchema, type CustomerContext } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { deliveriesAboutSubject } from '../../db/customers.ts';
import { listEvents } from '../../db/events.ts';
import { listRunSummaries } from '../../db/run-reads.ts';
import { toDeliverySummary } from '../../delivery/endpoints-store.ts';
import { notFound } from '../../http/errors.ts';
import { declareRoutes } from '../../http/route.ts';
import { rowToEnvelope } from '../events.ts';
import { toRunSummary } from '../runs/routes.ts';
import { loadCustomer } from '../state/customers.ts';

const customerIdSchema = z.string().min(1).max(200);

/**
 * Customer context for someone on the phone with them: the state the lookup step reads (the
 * same loader, so the page and a workflow never disagree) and what recently happened about
 * them. Events, runs and deliveries are found by the customer id as their subject.
 */
export function customersRouter(app: AppContext): Router {
  const router = Router();
  declareRoutes(router)(
    {
      method: 'get',
      path: '/customers/:id',
      access: 'events:read',
      tag: 'Customers',
      summary: "A customer's state (LTV, tier, lifecycle, segments) with their recent events, runs and deliveries",
      response: customerContextSchema,
    },
    async ({ params }): Promise<CustomerContext> => {
      const id = customerIdSchema.parse(params.id);
      const customer = await loadCustomer(app.pool, id);
      if (!customer) throw notFound('customer', id);
      const limit = CUSTOMER_RECENT_LIMIT;
      const [events, runs, deliveries] = await Promise.all([
        listEvents(app.pool, { subject: id, rootsOnly: false, limit }),
        listRunSummaries(app.pool, { subject: id, limit }),
        deliveriesAboutSubject(app.pool, id, limit),
      ]);
      return {
        ...customer,
        // listEvents and listRunSummaries read one row more to tell a next page.
        events: events.slice(0, limit).map((r) => ({ ...rowToEnvelope(r), processedAt: r.processed_at?.toISOString() ?? null })),
        runs: runs.slice(0, limit).map(toRunSummary),
        deliveries: deliveries.map(toDeliverySummary),
      };
    },
  );
  return router;
}
