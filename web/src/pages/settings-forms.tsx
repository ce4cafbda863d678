import { defaultMarketerStepTypes, nodeDefinitions, nodeTypes, type SettingKey, type SettingValue } from '@tripline/shared';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import { plainMessage } from '../forms/messages.ts';
import { ActionFeedback, useAction, type ActionState } from '../ui/index.ts';

/**
 * The settings people change by form instead of JSON: which steps marketers may use, the
 * customer rules (LTV tiers, cart abandonment, lifecycle thresholds) and who may scrape
 * /metrics. Each card saves one key through PUT /settings/:key (validated and audited by the
 * server); a refused value is said beside the card in plain words and nothing is lost.
 */
type Settings = Partial<{ [K in SettingKey]: SettingValue<K> }>;

export function useSave(onSaved: () => Promise<void>) {
  const action = useAction();
  const save = <K extends SettingKey>(key: K, value: SettingValue<K>, what: string, said: string) =>
    action.run(`Saving ${what}`, async () => {
      await api.put(`/settings/${key}`, { value });
      await onSaved();
      return said;
    });
  return { action, save };
}

/** The first refusal in plain words, with the field it names ("tiers 2: …"). */
function refusal(action: ActionState): string | undefined {
  const f = action.failure;
  if (!f) return undefined;
  const d = f.error.details[0];
  return d ? `${d.path && d.path !== 'value' ? `${d.path.replace(/^value\.?/, '')}: ` : ''}${plainMessage(d.message)}` : f.error.message;
}

export function Card({ label, title, intro, action, children }: { label: string; title: string; intro: ReactNode; action: ActionState; children: ReactNode }) {
  const error = refusal(action);
  return (
    <section className="card" aria-label={label}>
      <h2>{title}</h2>
      <p className="muted small">{intro}</p>
      {error ? (
        <p className="form-error" role="alert">
          Not saved: {error}
        </p>
      ) : (
        <ActionFeedback state={action} />
      )}
      {children}
    </section>
  );
}

export function MarketerStepsCard({ value, canWrite, onSaved }: { value: readonly string[] | undefined; canWrite: boolean; onSaved: () => Promise<void> }) {
  const { action, save } = useSave(onSaved);
  const [chosen, setChosen] = useState<Set<string>>(new Set(value ?? defaultMarketerStepTypes));
  useEffect(() => setChosen(new Set(value ?? defaultMarketerStepTypes)), [value]);
  const changed = value !== undefined && (chosen.size !== value.length || value.some((t) => !chosen.has(t)));
  return (
    <Card
      label="Steps marketers may use"
      title="Steps marketers may use"
      intro="Marketers build and publish workflows with these step types; any other step they add or change is refused when they save or publish. Endpoints, credentials and replays stay with editors and admins."
      action={action}
    >
      <div className="checkbox-grid">
        {nodeTypes.map((type) => (
          <label key={type} className="row">
            <input
              type="checkbox"
              disabled={!canWrite}
              checked={chosen.has(type)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(type);
                else next.delete(type);
                setChosen(next);
              }}
            />
            {nodeDefinitions[type].displayName}
          </label>
        ))}
      </div>
      {canWrite && (
        <button
          type="button"
          className="primary"
          disabled={!changed || action.busy}
          onClick={() => void save('marketerStepTypes', nodeTypes.filter((t) => chosen.has(t)), 'the marketer steps', 'Saved: marketers may use the steps ticked above.')}
        >
          Save marketer steps
        </button>
      )}
    </Card>
  );
}

type Tier = { name: string; min: number };

export function LtvTiersCard({ value, canWrite, onSaved }: { value: Tier[] | undefined; canWrite: boolean; onSaved: () => Promise<void> }) {
  const { action, save } = useSave(onSaved);
  const [rows, setRows] = useState<{ name: string; min: string }[]>([]);
  useEffect(() => setRows((value ?? []).map((t) => ({ name: t.name, min: String(t.min) }))), [value]);
  const set = (i: number, patch: Partial<{ name: string; min: string }>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const tiers = rows.map((r) => ({ name: r.name.trim(), min: r.min.trim() === '' ? Number.NaN : Number(r.min) }));
  return (
    <Card
      label="LTV tiers"
      title="Customer LTV tiers"
      intro="A customer's tier is the highest one whose minimum lifetime value they reached; moving between tiers emits customer.ltv_tier_changed. Minimums go up from the first tier."
      action={action}
    >
      <table className="settings-table">
        <thead>
          <tr>
            <th>Tier</th>
            <th>From lifetime value</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>
                <input aria-label={`Tier ${i + 1} name`} value={r.name} disabled={!canWrite} onChange={(e) => set(i, { name: e.target.value })} />
              </td>
              <td>
                <input aria-label={`Tier ${i + 1} minimum`} type="number" min={0} value={r.min} disabled={!canWrite} onChange={(e) => set(i, { min: e.target.value })} />
              </td>
              <td>
                {canWrite && rows.length > 1 && (
                  <button type="button" className="link-button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && (
        <div className="row">
          <button type="button" onClick={() => setRows([...rows, { name: '', min: '' }])}>
            Add tier
          </button>
          <button type="button" className="primary" disabled={action.busy} onClick={() => void save('ltvTiers', tiers, 'the LTV tiers', `Saved ${tiers.length} LTV tiers.`)}>
            Save tiers
          </button>
        </div>
      )}
    </Card>
  );
}

type Lifecycle = SettingValue<'lifecycle'>;
const LIFECYCLE_FIELDS: { key: keyof Lifecycle; label: string; unit: string }[] = [
  { key: 'repeatOrders', label: 'Repeat customer from', unit: 'orders' },
  { key: 'loyalOrders', label: 'Loyal customer from', unit: 'orders' },
  { key: 'atRiskDays', label: 'At risk after', unit: 'days without an order' },
  { key: 'lapsedDays', label: 'Lapsed after', unit: 'days without an order' },
];

export function CustomerRulesCard({ lifecycle, cartAbandonMinutes, canWrite, onSaved }: { lifecycle: Lifecycle | undefined; cartAbandonMinutes: number | undefined; canWrite: boolean; onSaved: () => Promise<void> }) {
  const { action, save } = useSave(onSaved);
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!lifecycle) return;
    setValues({ ...Object.fromEntries(LIFECYCLE_FIELDS.map((f) => [f.key, String(lifecycle[f.key])])), cart: String(cartAbandonMinutes ?? '') });
  }, [lifecycle, cartAbandonMinutes]);
  const num = (k: string) => (values[k]?.trim() ? Number(values[k]) : Number.NaN);
  const input = (key: string, label: string) => (
    <input aria-label={label} type="number" min={1} value={values[key] ?? ''} disabled={!canWrite} onChange={(e) => setValues({ ...values, [key]: e.target.value })} style={{ width: 90 }} />
  );
  return (
    <Card
      label="Customer lifecycle"
      title="Cart abandonment and lifecycle"
      intro="When a cart counts as abandoned (cart.abandoned) and when a customer becomes repeat, loyal, at risk or lapsed (customer.lifecycle_changed)."
      action={action}
    >
      <div className="settings-grid">
        <label className="row">
          A cart is abandoned after {input('cart', 'Cart abandoned after minutes')} minutes without checkout
        </label>
        {canWrite && (
          <button type="button" disabled={action.busy} onClick={() => void save('cartAbandonMinutes', num('cart'), 'the cart abandonment time', `Carts now count as abandoned after ${values.cart} minutes.`)}>
            Save cart time
          </button>
        )}
        {LIFECYCLE_FIELDS.map((f) => (
          <label key={f.key} className="row">
            {f.label} {input(f.key, f.label)} {f.unit}
          </label>
        ))}
        {canWrite && (
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() => {
              if (num('lapsedDays') <= num('atRiskDays') || num('loyalOrders') <= num('repeatOrders')) {
                // said here, before asking the server: the order of the thresholds is what makes them mean anything
                void action.run('Saving the lifecycle thresholds', () =>
                  Promise.reject(new Error('loyal must need more orders than repeat, and lapsed more days than at risk')),
                );
                return;
              }
              void save('lifecycle', Object.fromEntries(LIFECYCLE_FIELDS.map((f) => [f.key, num(f.key)])) as Lifecycle, 'the lifecycle thresholds', 'Saved the lifecycle thresholds.');
            }}
          >
            Save lifecycle
          </button>
        )}
      </div>
    </Card>
  );
}

export function MetricsAccessCard({ value, canWrite, onSaved }: { value: string[] | undefined; canWrite: boolean; onSaved: () => Promise<void> }) {
  const { action, save } = useSave(onSaved);
  const [text, setText] = useState('');
  useEffect(() => setText((value ?? []).join('\n')), [value]);
  const list = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    <Card
      label="Metrics access"
      title="Who may scrape /metrics"
      intro="Signed-in admins and admin API keys may always read /metrics. Addresses or CIDR ranges listed here (one a line, e.g. 10.0.0.0/24) may scrape it without a token, for a Prometheus inside your network."
      action={action}
    >
      <textarea aria-label="Metrics allow-list" rows={3} value={text} disabled={!canWrite} onChange={(e) => setText(e.target.value)} placeholder="10.0.0.0/24" />
      {canWrite && (
        <button type="button" className="primary" disabled={action.busy} onClick={() => void save('metricsAllowList', list, 'the metrics allow-list', list.length ? `Saved: ${list.join(', ')} may scrape /metrics.` : 'Saved: no address may scrape /metrics without a token.')}>
          Save allow-list
        </button>
      )}
    </Card>
  );
}

export type { Settings };
