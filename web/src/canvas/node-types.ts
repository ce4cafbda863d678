import type { NodeTypes } from '@xyflow/react';
import { nodeTypes as registryTypes } from '@tripline/shared';
import { NOTE_TYPE } from './flow-graph.ts';
import { NoteNode } from './note-node.tsx';
import { WorkflowNode } from './workflow-node.tsx';

/** At module scope: a new object per render would make xyflow re-mount every node. */
export const nodeTypes: NodeTypes = { ...Object.fromEntries(registryTypes.map((t) => [t, WorkflowNode])), [NOTE_TYPE]: NoteNode };
