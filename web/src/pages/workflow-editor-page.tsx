import { Background, Controls, MiniMap, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';

export function WorkflowEditorPage() {
  return (
    <div className="canvas" data-testid="workflow-canvas">
      <ReactFlow nodes={[]} edges={[]} fitView>
        <Background />
        <MiniMap />
        <Controls />
      </ReactFlow>
    </div>
  );
}
