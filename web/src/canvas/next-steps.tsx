import { isNodeType, isTriggerType, nodeDefinitions, nodeOutputs, type NodeType } from '@tripline/shared';
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

/** Wiring without a mouse: one select per output saying which step comes next. */
export function NextSteps({ node, readOnly }: { node: FlowNode; readOnly: boolean }) {
  const outputs = isNodeType(node.type ?? '') ? nodeOutputs(node.type as NodeType, node.data.config) : [];
  const edges = useCanvas((s) => s.edges);
  const candidates = useCanvas((s) => s.nodes);
  const setOutputTarget = useCanvas((s) => s.setOutputTarget);
  if (outputs.length === 0) return null;
  const others = candidates.filter((n) => n.id !== node.id && !isTriggerType(n.type));
  return (
    <fieldset className="next-steps" disabled={readOnly}>
      <legend>Then</legend>
      {outputs.map((h) => {
        const current = edges.find((e) => e.source === node.id && e.sourceHandle === h)?.target ?? '';
        return (
          <div key={h} className="form-field">
            <label htmlFor={`next-${node.id}-${h}`} className="form-label">
              {outputs.length > 1 ? outputLabel(h) : 'Next step'}
            </label>
            <select id={`next-${node.id}-${h}`} value={current} onChange={(e) => setOutputTarget(node.id, h, e.target.value || null)}>
              <option value="">— nothing (the run ends) —</option>
              {others.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.data.label || (isNodeType(n.type ?? '') ? nodeDefinitions[n.type as keyof typeof nodeDefinitions].displayName : n.type)} ({n.id})
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </fieldset>
  );
}

