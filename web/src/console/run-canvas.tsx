import type { StepResult, WorkflowGraph } from '@tripline/shared';
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useState } from 'react';
import { leftToRight } from '../canvas/layout.ts';
import { useLookups } from '../canvas/lookups.ts';
import { CanvasContext, createCanvasStore } from '../canvas/store.ts';
import { WorkflowCanvas } from '../canvas/workflow-canvas.tsx';

/**
 * The run's workflow version drawn by the editor's own canvas and nodes, read-only, left to
 * right: every output handle, the steps that ran and the edges and outputs the run followed
 * highlighted, a failed step marked, iterations and waits under their step.
 */
export function RunCanvas({ graph, steps, selected, onSelect }: { graph: WorkflowGraph; steps: StepResult[]; selected?: string; onSelect?: (nodeId: string) => void }) {
  // the run's version never changes: one store for the page, its steps redrawn as they arrive
  const [store] = useState(() => createCanvasStore(leftToRight(graph), { validate: false }));
  useEffect(() => store.getState().setHighlight({ steps }), [store, steps]);
  useEffect(() => store.getState().select(selected ? [selected] : []), [store, selected]);

  // names for node summaries ("to Support desk"); ids stay shown when the lists cannot be read
  const loadLookups = useLookups((l) => l.load);
  useEffect(() => {
    loadLookups('endpoints');
    loadLookups('campaigns');
  }, [loadLookups]);

  return (
    <div className="run-canvas" data-testid="run-canvas">
      <CanvasContext.Provider value={store}>
        <ReactFlowProvider>
          <WorkflowCanvas readOnly minimap={false} fit="whole" onNodeClick={onSelect} />
        </ReactFlowProvider>
      </CanvasContext.Provider>
    </div>
  );
}
