import { useStore as useFlowStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { findTrigger, isNodeType, nodeCategories, nodeDefinitions, nodeOutputs } from '@tripline/shared';
import { memo } from 'react';
import { problemMessage } from '../forms/messages.ts';
import type { FlowNode } from './flow-graph.ts';
import { useLookups } from './lookups.ts';
import { CompactPorts, InputPorts, OutputPorts } from './node-ports.tsx';
import { summarizeNode } from './node-summary.ts';
import { stepDetail } from './step-detail.ts';
import { useCanvas } from './store.ts';
import './nodes.css';

/**
 * Below this zoom the text is unreadable anyway, so nodes draw as plain coloured cards:
 * far fewer DOM nodes to lay out and paint when a 500-step workflow is zoomed to fit.
 * The selector returns a boolean, so nodes re-render only when the threshold is crossed.
 */
const COMPACT_BELOW = 0.45;
const selectCompact = (s: ReactFlowState) => s.transform[2] < COMPACT_BELOW;
/** The workflow's event type, for rules in words ("New tier is Gold"); a string, so nodes re-render only when it changes. */
const selectEventType = (s: { nodes: FlowNode[] }) => {
  const t = findTrigger(s.nodes)?.data.config.eventType;
  return typeof t === 'string' ? t : undefined;
};

/**
 * The one node component, for the editor and the run view alike: every node type renders
 * from its registry entry (title, ports, summary, category colour), so a new node type in
 * shared/ needs no canvas code. Memoised, and it subscribes only to its own problems and its
 * own run records, so editing one node or dragging on a 500-node canvas re-renders only the
 * nodes that changed.
 */
function WorkflowNodeView({ id, type, data, selected }: NodeProps<FlowNode>) {
  const problems = useCanvas((s) => s.problemsByNode.get(id));
  const records = useCanvas((s) => s.highlight?.records.get(id));
  const taken = useCanvas((s) => s.highlight?.taken.get(id));
  const inRun = useCanvas((s) => s.highlight !== null);
  const compact = useFlowStore(selectCompact);
  const eventType = useCanvas(selectEventType);
  const summary = useLookups((l) => (compact ? '' : summarizeNode(type, data.config, l, eventType)));

  if (!isNodeType(type)) {
    return (
      <div className="wf-node invalid" data-testid={`node-${id}`}>
        <div className="wf-node-title">Unknown step “{type}”</div>
      </div>
    );
  }
  const def = nodeDefinitions[type];
  const category = nodeCategories[def.category];
  // By name, from the config: a switch shows a handle per case as cases are added.
  const outputs = nodeOutputs(type, data.config);
  const step = records?.at(-1);
  const invalid = problems !== undefined && problems.length > 0;
  const classes = ['wf-node', `cat-${def.category}`];
  if (invalid) classes.push('invalid');
  if (selected) classes.push('selected');
  if (inRun) classes.push(step ? 'on-path' : 'off-path');
  if (step) classes.push(`step-${step.status}`);
  const title = data.label || def.displayName;
  const attributes = {
    className: classes.join(' '),
    style: { borderTopColor: category.colour },
    'data-testid': `node-${id}`,
    'data-status': inRun ? (step?.status ?? 'not reached') : undefined,
    'aria-invalid': invalid || undefined,
  };

  if (compact) {
    classes.push('compact');
    return (
      <div {...attributes} className={classes.join(' ')} title={invalid ? problemMessage(problems[0]!) : undefined}>
        <CompactPorts inputs={def.inputs} outputs={outputs} />
        <div className="wf-node-title">{title}</div>
      </div>
    );
  }

  const detail = records ? stepDetail(records) : undefined;
  return (
    <div {...attributes}>
      <InputPorts inputs={def.inputs} label={def.displayName} />
      <div className="wf-node-head">
        <span className="wf-node-icon" aria-hidden>
          {category.icon}
        </span>
        <span className="wf-node-title">{title}</span>
        {step && <span className={`wf-step-badge ${step.status}`}>{step.status}</span>}
      </div>
      {/* in a run, the step's id too: the step records below the canvas are listed by it */}
      {(data.label || inRun) && <div className="wf-node-kind">{inRun ? `${data.label ? `${def.displayName} · ` : ''}${id}` : def.displayName}</div>}
      <div className="wf-node-summary">{summary}</div>
      {detail && (
        <div className="wf-node-detail" data-testid="node-detail">
          {detail}
        </div>
      )}
      {step?.status === 'failed' && step.error && (
        <div className="wf-node-problem" role="note">
          ✕ {step.error}
        </div>
      )}
      {invalid && (
        <div className="wf-node-problem" role="alert">
          ⚠ {problemMessage(problems[0]!)}
          {problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}
        </div>
      )}
      <OutputPorts outputs={outputs} label={def.displayName} taken={taken} />
    </div>
  );
}

export const WorkflowNode = memo(WorkflowNodeView);
