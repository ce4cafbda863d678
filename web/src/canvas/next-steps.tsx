import { byCanvasOrder, isNodeType, isTriggerType, nodeDefinitions, nodeOutputs, type NodeType } from '@tripline/shared';
import { useState } from 'react';
import type { FlowNode } from './flow-graph.ts';
import { useCanvas } from './store.ts';

const OUTPUT_LABELS: Record<string, string> = {
  error: 'On error, go to',
  each: 'For each item, go to',
  done: 'When all items are done, go to',
  received: 'When the event arrives, go to',
  timeout: 'On timeout, go to',
  default: 'Otherwise, go to',
};
const outputLabel = (h: string) => OUTPUT_LABELS[h] ?? `If ${h}, go to`;

/**
 * Wiring without a mouse: one select per output saying which step comes next. An output may
 * lead to several steps (each its own branch, started in canvas order): then one select per
 * branch, numbered as the canvas numbers its edges, and "Add a branch" adds one more.
 */
export function NextSteps({ node, readOnly }: { node: FlowNode; readOnly: boolean }) {
  const outputs = isNodeType(node.type ?? '') ? nodeOutputs(node.type as NodeType, node.data.config) : [];
  const edges = useCanvas((s) => s.edges);
  const candidates = useCanvas((s) => s.nodes);
  const setOutputTarget = useCanvas((s) => s.setOutputTarget);
  const setBranchTarget = useCanvas((s) => s.setBranchTarget);
  const [adding, setAdding] = useState<string>();
  if (outputs.length === 0) return null;
  const others = candidates.filter((n) => n.id !== node.id && !isTriggerType(n.type));
  const byId = new Map(candidates.map((n) => [n.id, n]));
  const options = (empty: string) => (
    <>
      <option value="">{empty}</option>
      {others.map((n) => (
        <option key={n.id} value={n.id}>
          {n.data.label || (isNodeType(n.type ?? '') ? nodeDefinitions[n.type as keyof typeof nodeDefinitions].displayName : n.type)} ({n.id})
        </option>
      ))}
    </>
  );
  return (
    <fieldset className="next-steps" disabled={readOnly}>
      <legend>Then</legend>
      {outputs.map((h) => {
        const label = outputs.length > 1 ? outputLabel(h) : 'Next step';
        const targets = edges
          .filter((e) => e.source === node.id && e.sourceHandle === h)
          .map((e) => e.target)
          .sort((a, b) => byCanvasOrder(byId.get(a), byId.get(b)));
        const forked = targets.length > 1;
        return (
          <div key={h} className="form-field">
            {forked ? (
              targets.map((target, i) => (
                <div key={target} className="form-field">
                  <label htmlFor={`next-${node.id}-${h}-${i}`} className="form-label">
                    {label} (branch {i + 1})
                  </label>
                  <select id={`next-${node.id}-${h}-${i}`} value={target} onChange={(e) => setBranchTarget(node.id, h, target, e.target.value || null)}>
                    {options('— remove this branch —')}
                  </select>
                </div>
              ))
            ) : (
              <>
                <label htmlFor={`next-${node.id}-${h}`} className="form-label">
                  {label}
                </label>
                <select id={`next-${node.id}-${h}`} value={targets[0] ?? ''} onChange={(e) => setOutputTarget(node.id, h, e.target.value || null)}>
                  {options('— nothing (the run ends) —')}
                </select>
              </>
            )}
            {targets.length > 0 &&
              (adding === h ? (
                <>
                  <label htmlFor={`next-${node.id}-${h}-new`} className="form-label">
                    Also go to (a branch of its own)
                  </label>
                  <select
                    id={`next-${node.id}-${h}-new`}
                    value=""
                    onChange={(e) => {
                      if (e.target.value) setBranchTarget(node.id, h, null, e.target.value);
                      setAdding(undefined);
                    }}
                  >
                    {options('— choose a step —')}
                  </select>
                </>
              ) : (
                <button type="button" className="link-button" onClick={() => setAdding(h)}>
                  Add a branch
                </button>
              ))}
          </div>
        );
      })}
    </fieldset>
  );
}
