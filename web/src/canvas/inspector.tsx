import { eventCatalog, findTrigger, isEventType, isNodeType, isTriggerType, nodeDefinitions, triggerEventType, type GraphProblem } from '@tripline/shared';
import { useMemo } from 'react';
import { jsonSchemaOf } from '../forms/json-schema.ts';
import { plainMessage, problemMessage } from '../forms/messages.ts';
import { SchemaForm } from '../forms/schema-form.tsx';
import { isNote, type FlowNode } from './flow-graph.ts';
import { useStepWidgets } from './inspector-widgets.tsx';
import { NextSteps } from './next-steps.tsx';
import { SchedulePanel } from './schedule-panel.tsx';
import { StockPanel } from './stock-panel.tsx';
import { useCanvas, useCanvasStoreApi } from './store.ts';
import { variablesAt } from './variables.ts';
import { iterationLabels } from './iteration-labels.ts';
import { StepResults } from './step-results.tsx';
import type { TestRunner } from './use-test-run.ts';

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
  return t ? triggerEventType({ type: t.type, config: t.data.config }) : undefined;
};

/** The selected step's form, generated from its config schema, with its problems inline. */
export function Inspector({ readOnly, runner }: { readOnly: boolean; runner?: TestRunner }) {
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
  if (isNote(selected)) return <p className="muted inspector-empty">A sticky note: type on it on the canvas. Notes are saved with the workflow and never run.</p>;
  return <NodeInspector key={selected.id} node={selected} readOnly={readOnly} runner={runner} />;
}

function NodeInspector({ node, readOnly, runner }: { node: FlowNode; readOnly: boolean; runner: TestRunner | undefined }) {
  const problems = useCanvas((s) => s.problemsByNode.get(node.id));
  const warnings = useCanvas((s) => s.warningsByNode.get(node.id));
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

  // recomputed as the graph changes, but the inspector re-renders only when the list does
  const variablesKey = useCanvas((s) => variablesAt(node.id, s.nodes, s.edges).map((v) => v.path).join('|'));
  const store = useCanvasStoreApi();
  const variables = useMemo(() => variablesAt(node.id, store.getState().nodes, store.getState().edges), [node.id, store, variablesKey]);
  const widgets = useStepWidgets(isTriggerType(type) ? triggerEventType({ type, config: node.data.config }) : eventType, variables);

  if (!isNodeType(type)) return <p className="form-error">Unknown step type “{type}”. Delete it or import a valid workflow.</p>;
  const def = nodeDefinitions[type];
  const requiredNow = requiredByValues(def.configSchema, node.data.config);
  const general = errors.get('') ?? [];
  const ownEvent = isTriggerType(type) ? triggerEventType({ type, config: node.data.config }) : undefined;
  const event = ownEvent !== undefined && isEventType(ownEvent) ? eventCatalog[ownEvent] : undefined;

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
      {warnings?.map((w) => (
        <div key={w.message} className="inspector-warning" role="note" data-testid="inspector-warning">
          ⚠ {w.message}
        </div>
      ))}
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
      {type === 'schedule' && <SchedulePanel cron={node.data.config.cron} timezone={node.data.config.timezone} />}
      {event && <p className="form-help">{event.description}</p>}
      {event?.type === 'inventory.threshold_crossed' && typeof node.data.config.sku === 'string' && node.data.config.sku && <StockPanel sku={node.data.config.sku} />}
      <NextSteps node={node} readOnly={readOnly} />
      <LastTest nodeId={node.id} type={type} runner={runner} />
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

/**
 * This step's part of the last test run, kept while steps are clicked; and for a code step,
 * "Run this step" with the test event (the whole draft runs dry, this step's result shows).
 */
function LastTest({ nodeId, type, runner }: { nodeId: string; type: string; runner: TestRunner | undefined }) {
  const testRun = useCanvas((s) => s.testRun);
  const records = useMemo(() => testRun?.steps.filter((st) => st.nodeId === nodeId), [testRun, nodeId]);
  const nodes = useCanvas((s) => s.nodes);
  const edges = useCanvas((s) => s.edges);
  const labels = useMemo(() => iterationLabels(testRun?.steps ?? [], { nodes, edges }), [testRun, nodes, edges]);
  const label = nodes.find((n) => n.id === nodeId)?.data.label;
  const name = label || (isNodeType(type) ? nodeDefinitions[type].displayName : nodeId);
  const tested = testRun !== null;
  if (!runner) return null;
  return (
    <section className="last-test" aria-label="Last test run of this step">
      <div className="row">
        <h3>Test run</h3>
        {type === 'code' && (
          <button type="button" onClick={() => void runner.run()} disabled={runner.running}>
            {runner.running ? 'Running…' : 'Run this step with the test event'}
          </button>
        )}
      </div>
      {runner.error && (
        <div className="form-error" role="alert">
          {runner.error}
        </div>
      )}
      {records && records.length > 0 ? (
        <StepResults records={records} labels={labels} name={name} />
      ) : (
        <p className="muted small">{tested ? 'The last test run did not reach this step.' : 'Run a test (Test run tab) to see what this step receives and gives.'}</p>
      )}
    </section>
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
