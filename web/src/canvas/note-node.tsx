import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from './flow-graph.ts';
import { useCanEditWorkflows } from './permissions.ts';
import { useCanvas } from './store.ts';

/**
 * A sticky note: text on the canvas for the people reading the workflow. Drag it by its
 * header; the text area is `nodrag` so selecting text does not move it. No handles: a
 * note cannot be wired, and the engine never sees it.
 */
function NoteNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const setNoteText = useCanvas((s) => s.setNoteText);
  // the run view draws a recorded run: its notes are read, not edited
  const inRun = useCanvas((s) => s.highlight !== null);
  const readOnly = !useCanEditWorkflows() || inRun;
  return (
    <div className={`wf-note${selected ? ' selected' : ''}`} data-testid={`note-${id}`}>
      <div className="wf-note-head" aria-hidden>
        Note
      </div>
      <textarea
        className="nodrag nowheel"
        aria-label="Note text"
        placeholder="Write a note for whoever reads this workflow…"
        value={data.text ?? ''}
        readOnly={readOnly}
        onChange={(e) => setNoteText(id, e.target.value)}
      />
    </div>
  );
}

export const NoteNode = memo(NoteNodeView);
