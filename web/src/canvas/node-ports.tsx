import { Handle, Position } from '@xyflow/react';
import { ERROR_OUTPUT } from '@tripline/shared';

/** The node's input handles, on the left: drawn from its definition's `inputs`. */
export function InputPorts({ inputs, label }: { inputs: readonly string[]; label: string }) {
  return inputs.map((h) => <Handle key={h} id={h} type="target" position={Position.Left} className="wf-handle" aria-label={`${label} input`} />);
}

/**
 * Every output handle the node has with this config (a condition's true / false, a switch's
 * cases, for_each's each / done, a wait's received / timeout), named when there are several,
 * the error output at the bottom. `taken`: the outputs a run left on, marked.
 */
export function OutputPorts({ outputs, label, taken }: { outputs: readonly string[]; label: string; taken: ReadonlySet<string> | undefined }) {
  const hasError = outputs.includes(ERROR_OUTPUT);
  const branches = hasError ? outputs.filter((h) => h !== ERROR_OUTPUT) : outputs;
  const mark = (h: string) => (taken?.has(h) ? ' taken' : '');
  return (
    <>
      {branches.length > 1 ? (
        <div className="wf-node-outputs">
          {branches.map((h) => (
            <div key={h} className={`wf-output wf-output-${h}${mark(h)}`} data-testid={`output-${h}`} data-taken={taken?.has(h) || undefined}>
              <span>{h}</span>
              <Handle id={h} type="source" position={Position.Right} className={`wf-handle wf-handle-${h}`} aria-label={`${h} branch`} />
            </div>
          ))}
        </div>
      ) : (
        branches.map((h) => <Handle key={h} id={h} type="source" position={Position.Right} className="wf-handle" aria-label={`${label} output`} />)
      )}
      {hasError && (
        // The error path is secondary: a handle at the bottom, so the node keeps its size and its main output stays where it was.
        <>
          <span className={`wf-error-label${mark(ERROR_OUTPUT)}`} data-testid={`output-${ERROR_OUTPUT}`} data-taken={taken?.has(ERROR_OUTPUT) || undefined} aria-hidden>
            error
          </span>
          <Handle id={ERROR_OUTPUT} type="source" position={Position.Bottom} className="wf-handle wf-handle-error" aria-label={`${label} error output`} />
        </>
      )}
    </>
  );
}

/** Far zoom: the same handles, unlabelled, spread down the right edge so edges still attach. */
export function CompactPorts({ inputs, outputs }: { inputs: readonly string[]; outputs: readonly string[] }) {
  return (
    <>
      {inputs.map((h) => (
        <Handle key={h} id={h} type="target" position={Position.Left} className="wf-handle" />
      ))}
      {outputs.map((h, i) => (
        <Handle key={h} id={h} type="source" position={Position.Right} className={`wf-handle wf-handle-${h}`} style={outputs.length > 1 ? { top: `${((i + 1) * 100) / (outputs.length + 1)}%` } : undefined} />
      ))}
    </>
  );
}
