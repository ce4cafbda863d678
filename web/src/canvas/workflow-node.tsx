import { Handle, Position, useStore as useFlowStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { ERROR_OUTPUT, isNodeType, nodeDefinitions, nodeOutputs } from '@tripline/shared';
import { memo } from 'react';
import { useLookups } from './lookups.ts';
import type { FlowNode } from './flow-graph.ts';
import { summarizeNode } from './node-summary.ts';
import { useCanvas } from './store.ts';
import { problemMessage } from '../forms/messages.ts';

const categoryIcon = { trigger: '⚡', logic: '◆', flow: '↻', data: '⇅', action: '➜' } as const;

/**
 * Below this zoom the text is unreadable anyway, so nodes draw as plain coloured cards:
 * far fewer DOM nodes to lay out and paint when a 500-step workflow is zoomed to fit.
 * The selector returns a boolean, so nodes re-render only when the threshold is crossed.
 */
const COMPACT_BELOW = 0.45;
const selectCompact = (s: ReactFlowState) => s.transform[2] < COMPACT_BELOW;

/**
 * The one node component: every node type renders from its registry entry (title, ports,
 * category colour), so a new node type in shared/ needs no canvas code. Memoised, and it
 * subscribes only to its own problems and its own dry-run step, so editing one node or
 * dragging on a 500-node canvas re-renders only the nodes that changed.
 */
function WorkflowNodeView({ id, type, data, selected }: NodeProps<FlowNode>) {
  const problems = useCanvas((s) => s.problemsByNode.get(id));
  const step = useCanvas((s) => s.highlight?.steps.get(id));
  const onPath = useCanvas((s) => (s.highlight ? s.highlight.path.includes(id) : undefined));
  const compact = useFlowStore(selectCompact);
  const summary = useLookups((l) => (compact ? '' : summarizeNode(type, data.config, l)));

  if (!isNodeType(type)) {
    return (
      <div className="wf-node invalid" data-testid={`node-${id}`}>
        <div className="wf-node-title">Unknown step “{type}”</div>
      </div>
    );
  }
  const def = nodeDefinitions[type];
  // By name, from the config: a switch shows a handle per case as cases are added.
  const outputs = nodeOutputs(type, data.config);
  const hasError = outputs.includes(ERROR_OUTPUT);
  const branches = hasError ? outputs.filter((h) => h !== ERROR_OUTPUT) : outputs;
  const invalid = problems !== undefined && problems.length > 0;
  const classes = ['wf-node', `cat-${def.category}`];
  if (invalid) classes.push('invalid');
  if (selected) classes.push('selected');
  if (onPath === true) classes.push('on-path');
  if (onPath === false) classes.push('off-path');
  if (step) classes.push(`step-${step.status}`);

  if (compact) {
    classes.push('compact');
    return (
      <div className={classes.join(' ')} data-testid={`node-${id}`} aria-invalid={invalid || undefined} title={invalid ? problemMessage(problems[0]!) : undefined}>
        {def.inputs.map((h) => (
          <Handle key={h} id={h} type="target" position={Position.Left} className="wf-handle" />
        ))}
        <div className="wf-node-title">{data.label || def.displayName}</div>
        {outputs.map((h, i) => (
          <Handle key={h} id={h} type="source" position={Position.Right} className={`wf-handle wf-handle-${h}`} style={outputs.length > 1 ? { top: `${((i + 1) * 100) / (outputs.length + 1)}%` } : undefined} />
        ))}
      </div>
    );
  }

  return (
    <div className={classes.join(' ')} data-testid={`node-${id}`} aria-invalid={invalid || undefined}>
      {def.inputs.map((h) => (
        <Handle key={h} id={h} type="target" position={Position.Left} className="wf-handle" aria-label={`${def.displayName} input`} />
      ))}
      <div className="wf-node-head">
        <span className="wf-node-icon" aria-hidden>
          {categoryIcon[def.category]}
        </span>
        <span className="wf-node-title">{data.label || def.displayName}</span>
        {step && <span className={`wf-step-badge ${step.status}`}>{step.status}</span>}
      </div>
      {data.label && <div className="wf-node-kind">{def.displayName}</div>}
      <div className="wf-node-summary">{summary}</div>
      {invalid && (
        <div className="wf-node-problem" role="alert">
          ⚠ {problemMessage(problems[0]!)}
          {problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}
        </div>
      )}
      {branches.length > 1 ? (
        <div className="wf-node-outputs">
          {branches.map((h) => (
            <div key={h} className={`wf-output wf-output-${h}`}>
              <span>{h}</span>
              <Handle id={h} type="source" position={Position.Right} className={`wf-handle wf-handle-${h}`} aria-label={`${h} branch`} />
            </div>
          ))}
        </div>
      ) : (
        branches.map((h) => <Handle key={h} id={h} type="source" position={Position.Right} className="wf-handle" aria-label={`${def.displayName} output`} />)
      )}
      {hasError && (
        // The error path is secondary: a handle at the bottom, so the node keeps its size and its main output stays where it was.
        <>
          <span className="wf-error-label" aria-hidden>
            error
          </span>
          <Handle id={ERROR_OUTPUT} type="source" position={Position.Bottom} className="wf-handle wf-handle-error" aria-label={`${def.displayName} error output`} />
        </>
      )}
    </div>
  );
}

export const WorkflowNode = memo(WorkflowNodeView);
