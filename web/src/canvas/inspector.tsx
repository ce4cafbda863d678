import { eventCatalog, findTrigger, isEventType, isNodeType, isTriggerType, nodeDefinitions, nodeOutputs, type GraphProblem, type NodeType } from '@tripline/shared';
import { useMemo } from 'react';
import { ConditionBuilder } from '../condition-builder/condition-builder.tsx';
import { fieldsForEventType } from '../condition-builder/fields.ts';
import { jsonSchemaOf } from '../forms/json-schema.ts';
import { plainMessage, problemMessage } from '../forms/messages.ts';
import { CampaignPicker, EndpointPicker } from '../forms/pickers.tsx';
import { CodeInput, CredentialPicker, ListExpressionInput, SwitchCasesEditor } from '../forms/step-widgets.tsx';
import { SchemaForm, type WidgetProps, type Widgets } from '../forms/schema-form.tsx';
import type { FlowNode } from './flow-graph.ts';
import { StockPanel } from './stock-panel.tsx';
import { useCanvas } from './store.ts';

const selectSelected = (s: { nodes: FlowNode[] }) => {
  let found: FlowNode | undefined;
  for (const n of s.nodes) {
    if (!n.selected) continue;
    if (found) return 'many' as const;
    found = n;
  }
  return found;
};

const selectTriggerEvent = (s: { nodes: FlowNode[] }) => {
  const t = findTrigger(s.nodes);
  return typeof t?.data.config.eventType === 'string' ? t.data.config.eventType : undefined;
};

/** The selected step's form, generated from its config schema, with its problems inline. */
export function Inspector({ readOnly }: { readOnly: boolean }) {
  const selected = useCanvas(selectSelected);
  if (selected === 'many') return <p className="muted inspector-empty">Several steps selected. Press Delete to remove them, Ctrl+C to copy.</p>;
  if (!selected) {
    if (readOnly) return <p className="muted inspector-empty">Select a step to see its settings.</p>;
    return (
      <div className="muted inspector-empty">
        <p>Select a step to edit it.</p>
        <p>Drag steps from the left, or press one to add it after the selected step. Connect a step’s right dot to the next step’s left dot.</p>
      </div>
    );
  }
  return <NodeInspector key={selected.id} node={selected} readOnly={readOnly} />;
}

function NodeInspector({ node, readOnly }: { node: FlowNode; readOnly: boolean }) {
  const problems = useCanvas((s) => s.problemsByNode.get(node.id));
  const eventType = useCanvas(selectTriggerEvent);
  const updateConfig = useCanvas((s) => s.updateConfig);
  const setLabel = useCanvas((s) => s.setLabel);
  const deleteNode = useCanvas((s) => s.deleteNode);
  const type = node.type ?? '';

  const errors = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const p of problems ?? []) {
      const key = p.field?.split('.')[0] ?? '';
      map.set(key, [...(map.get(key) ?? []), plainMessage(p.message)]);
    }
    return map;
  }, [problems]);

  const widgets = useMemo<Widgets>(() => {
    const fields = fieldsForEventType(isTriggerType(type) ? (node.data.config.eventType as string | undefined) : eventType);
    return {
      'json-logic': (p: WidgetProps) => (
        <ConditionBuilder
          id={p.id}
          value={p.value}
          onChange={p.onChange}
          fields={fields}
          invalid={p.invalid}
          describedBy={p.describedBy}
          optional={!p.field.required}
        />
      ),
      'switch-cases': (p: WidgetProps) => (
        <SwitchCasesEditor {...p} renderRule={(r) => <ConditionBuilder id={r.id} value={r.value} onChange={r.onChange} fields={fields} invalid={p.invalid} />} />
      ),
      'list-expression': (p: WidgetProps) => <ListExpressionInput {...p} listPaths={fields.filter((f) => f.type === 'array').map((f) => f.path)} />,
      code: (p: WidgetProps) => <CodeInput {...p} />,
      'credential-name': (p: WidgetProps) => <CredentialPicker {...p} />,
      'endpoint-id': (p: WidgetProps) => <EndpointPicker {...p} />,
      'campaign-id': (p: WidgetProps) => <CampaignPicker {...p} />,
    };
  }, [eventType, type, node.data.config.eventType]);

  if (!isNodeType(type)) return <p className="form-error">Unknown step type “{type}”. Delete it or import a valid workflow.</p>;
  const def = nodeDefinitions[type];
  const requiredNow = requiredByValues(def.configSchema, node.data.config);
  const general = errors.get('') ?? [];
  const event = isTriggerType(type) && typeof node.data.config.eventType === 'string' && isEventType(node.data.config.eventType) ? eventCatalog[node.data.config.eventType] : undefined;

  return (
    <section className="inspector" aria-label={`${def.displayName} settings`}>
      <header>
        <h2>{node.data.label || def.displayName}</h2>
        <p className="muted">{def.description}</p>
      </header>
      <div className="form-field">
        <label htmlFor={`label-${node.id}`} className="form-label">
          Name <span className="muted">(optional)</span>
        </label>
        <input id={`label-${node.id}`} type="text" maxLength={200} value={node.data.label ?? ''} disabled={readOnly} placeholder={def.displayName} onChange={(e) => setLabel(node.id, e.target.value)} />
      </div>
      {general.map((m) => (
        <div key={m} className="form-error" role="alert">
          {m}
        </div>
      ))}
      <SchemaForm
        schema={jsonSchemaOf(def.configSchema)}
        value={node.data.config}
        onChange={(config, field) => updateConfig(node.id, config, `config:${node.id}:${field}`)}
        errors={errors}
        widgets={widgets}
        readOnly={readOnly}
        requiredNow={requiredNow}
      />
      {event && <p className="form-help">{event.description}</p>}
      {event?.type === 'inventory.threshold_crossed' && typeof node.data.config.sku === 'string' && node.data.config.sku && <StockPanel sku={node.data.config.sku} />}
      <NextSteps node={node} readOnly={readOnly} />
      <div className="inspector-footer">
        <span className="muted">id: {node.id}</span>
        {!readOnly && (
          <button type="button" className="danger-button" onClick={() => deleteNode(node.id)}>
            Delete step
          </button>
        )}
      </div>
    </section>
  );
}

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
function NextSteps({ node, readOnly }: { node: FlowNode; readOnly: boolean }) {
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

/** A problem for the problems list: the step, the field as people call it, the message in plain words. */
export function problemText(p: GraphProblem): string {
  return `${p.nodeId ? `${p.nodeId}: ` : ''}${problemMessage(p)}`;
}

/**
 * Fields the schema marks optional but the other values make required (a stock trigger's
 * threshold and direction): leaving each one out in turn shows which the schema then misses,
 * so the form never labels a required field "(optional)".
 */
function requiredByValues(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } }, config: Record<string, unknown>): Set<string> {
  const required = new Set<string>();
  const missingAt = (value: Record<string, unknown>) =>
    (schema.safeParse(value).error?.issues ?? []).map((i) => String(i.path[0] ?? '')).filter((k) => k && value[k] === undefined);
  for (const key of missingAt(config)) required.add(key);
  for (const key of Object.keys(config)) if (config[key] !== undefined && missingAt({ ...config, [key]: undefined }).includes(key)) required.add(key);
  return required;
}
