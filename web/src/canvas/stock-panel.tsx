import { useEffect, useState } from 'react';
import { api } from './http.ts';

interface StockView {
  sku: string;
  quantity: number | null;
  lastEventAt: string | null;
  thresholds: { threshold: number; direction: 'below' | 'above'; armed: boolean | null; workflows: string[] }[];
}

/**
 * Under a stock trigger: the SKU's level now and whether each threshold a live workflow
 * watches is armed, so "why did nothing fire?" is answered where the trigger is set.
 */
export function StockPanel({ sku }: { sku: string }) {
  const [view, setView] = useState<StockView>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.get<StockView>(`/stock/${encodeURIComponent(sku)}`).then(
        (v) => live && (setView(v), setFailed(false)),
        () => live && setFailed(true),
      );
    }, 300); // typing a SKU asks once it settles
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [sku]);
  if (failed) return null;
  if (!view) return <p className="form-help">Loading the stock of {sku}…</p>;
  return (
    <div className="stock-panel form-help" data-testid="stock-panel">
      <div>
        <strong>{sku}</strong>: {view.quantity === null ? 'no stock level received yet' : `${view.quantity} in stock now`}
      </div>
      {view.thresholds.length === 0 ? (
        <div className="muted">No published workflow watches this SKU yet.</div>
      ) : (
        <ul>
          {view.thresholds.map((t) => {
            const side = t.direction === 'below' ? `below ${t.threshold}` : `above ${t.threshold}`;
            const back = t.direction === 'below' ? `${t.threshold} or more` : `${t.threshold} or less`;
            const state = t.armed === false ? `fired; re-arms once stock is back at ${back}` : 'armed: fires at the next crossing';
            return (
              <li key={`${t.direction}-${t.threshold}`}>
                {side}: {state} <span className="muted">({t.workflows.join(', ')})</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
