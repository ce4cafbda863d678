import { loadCustomer } from '../../state/customers.ts';
import { loadCampaignView, loadProductView } from '../../state/lookups.ts';
import { renderTemplate } from '../../template.ts';
import type { Executor } from '../types.ts';
import { liveTx } from './step-mode.ts';

const loaders = { customer: loadCustomer, product: loadProductView, campaign: loadCampaignView };

/** Reads current state (read-only, so a dry run does the same) into vars.<saveAs>; null when unknown. */
export const lookup: Executor<'lookup'> = async (config, step) => {
  const rendered = renderTemplate(config.key, step.scope);
  const key = rendered === undefined || rendered === null ? '' : String(rendered);
  // Inside an event batch the customer or product is in the batch's book, with the batch's changes not yet written.
  const writes = step.mode.kind === 'live' ? step.mode.writes : undefined;
  const book =
    config.entity === 'customer' && writes?.customers.has(key) ? writes.customers : config.entity === 'product' && writes?.products.has(key) ? writes.products : undefined;
  const value = key === '' ? null : book ? book.view(key) : await loaders[config.entity](liveTx(step) ?? step.app.pool, key);
  return { kind: 'next', output: { entity: config.entity, key, found: value !== null, value }, vars: { [config.saveAs]: value } };
};
