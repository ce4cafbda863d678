import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { GraphProblem, Workflow } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore, type StoreApi } from 'zustand';
import './canvas.css';
import { EditorBanners } from './editor-banners.tsx';
import { EditorBar } from './editor-bar.tsx';
import { FindNode } from './find-node.tsx';
import { readableFit } from './readable-fit.ts';
import { usePanelToggle } from './use-panel-toggle.ts';
import { toGraph } from './flow-graph.ts';
import { downloadWorkflow } from './file-io.ts';
import { useLookups } from './lookups.ts';
import { Palette } from './palette.tsx';
import { useCanEditWorkflows, useReadOnlyReason } from './permissions.ts';
import { ProblemsList } from './problems-list.tsx';
import { SidePanel } from './side-panel.tsx';
import { CanvasContext, createCanvasStore, type CanvasState } from './store.ts';
import { useAddStep } from './use-add-step.ts';
import { useDraftSaver } from './use-draft-saver.ts';
import { usePublish } from './use-publish.ts';
import { ShortcutsSheet } from './shortcuts-sheet.tsx';
import { useShortcuts } from './use-shortcuts.ts';
import { useUnsavedGuard } from './use-unsaved-guard.ts';
import { WorkflowCanvas } from './workflow-canvas.tsx';

/** The workflow editor for one loaded workflow: its own canvas store, provider and panels. */
export function WorkflowEditor({ workflow }: { workflow: Workflow }) {
  const [store] = useState(() => createCanvasStore(workflow.graph));
  return (
    <CanvasContext.Provider value={store}>
      <ReactFlowProvider>
        <EditorLayout store={store} initial={workflow} />
      </ReactFlowProvider>
    </CanvasContext.Provider>
  );
}

const selectProblems = (s: CanvasState) => s.problems;
const selectWarnings = (s: CanvasState) => s.warnings;
const selectCanUndo = (s: CanvasState) => s.past.length > 0;
const selectCanRedo = (s: CanvasState) => s.future.length > 0;
const selectEmpty = (s: CanvasState) => s.nodes.length === 0;

function EditorLayout({ store, initial }: { store: StoreApi<CanvasState>; initial: Workflow }) {
  const readOnly = !useCanEditWorkflows();
  const readOnlyReason = useReadOnlyReason();
  const saver = useDraftSaver(store, initial);
  const { workflow, status, save } = saver;
  const publishing = usePublish(workflow, saver.setWorkflow, save);
  const problems = useStore(store, selectProblems);
  const warnings = useStore(store, selectWarnings);
  const empty = useStore(store, selectEmpty);
  const canUndo = useStore(store, selectCanUndo);
  const canRedo = useStore(store, selectCanRedo);
  const flow = useReactFlow();
  const { addFromPalette, addAt } = useAddStep(store, readOnly);
  const leaveDialog = useUnsavedGuard(saver.isDirty, save);

  // names for node summaries ("to Messaging tool", "activate VIP"), loaded once per page
  const loadLookups = useLookups((l) => l.load);
  useEffect(() => {
    loadLookups('endpoints');
    loadLookups('campaigns');
  }, [loadLookups]);

  const canvasArea = useRef<HTMLDivElement>(null);
  const fit = useCallback(() => {
    const box = canvasArea.current?.getBoundingClientRect();
    if (box) readableFit(flow, box, 200);
  }, [flow]);
  const [paletteOpen, togglePalette] = usePanelToggle('palette');
  const [panelOpen, togglePanel] = usePanelToggle('side-panel');
  const actions = useMemo(
    () => ({
      undo: () => store.getState().undo(),
      redo: () => store.getState().redo(),
      copy: () => void store.getState().copy(),
      paste: () => store.getState().paste(),
      remove: () => store.getState().deleteSelected(),
      save: () => void save(),
      layout: () => {
        store.getState().autoLayout();
        requestAnimationFrame(fit);
      },
      fit,
      exportJson: () => {
        const s = store.getState();
        downloadWorkflow({ name: saver.name, ...(workflow.description ? { description: workflow.description } : {}), graph: toGraph(s.nodes, s.edges) });
      },
    }),
    [fit, save, saver.name, store, workflow.description],
  );
  useShortcuts(actions, !readOnly);

  const focusNode = (id: string | undefined) => {
    const node = id ? store.getState().nodes.find((n) => n.id === id) : undefined;
    if (!node) return;
    store.getState().select([node.id]);
    void flow.setCenter(node.position.x + 110, node.position.y + 40, { zoom: Math.max(flow.getZoom(), 0.9), duration: 200 });
  };
  const focusProblem = (p: GraphProblem) => focusNode(p.nodeId);
  const addNote = () => {
    const box = canvasArea.current?.getBoundingClientRect();
    if (!box) return;
    const at = flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + 80 });
    store.getState().addNote({ x: Math.round(at.x - 110), y: Math.round(at.y) });
  };

  const invalid = problems.length > 0;
  return (
    <div className="editor">
      <ShortcutsSheet />
      <EditorBar
        workflow={workflow}
        name={saver.name}
        setName={saver.setName}
        status={status}
        readOnly={readOnly}
        canUndo={canUndo}
        canRedo={canRedo}
        actions={actions}
        invalid={invalid}
        publishBlocked={readOnly || invalid || publishing.publishing || status === 'conflict'}
        publishing={publishing.publishing}
        onPublish={() => void publishing.publish()}
        onToggleEnabled={() => void publishing.toggleEnabled()}
      />
      <EditorBanners
        readOnlyReason={readOnly ? readOnlyReason : undefined}
        status={status}
        saveError={saver.error}
        notice={publishing.notice}
        onDismiss={() => publishing.setNotice(undefined)}
        onRetrySave={() => void save()}
        onReloadTheirs={() => void saver.reloadTheirs()}
        onOverwrite={() => void saver.overwrite()}
      />
      <div className="editor-body">
        {paletteOpen && <Palette onAdd={addFromPalette} disabled={readOnly} />}
        <div className="editor-canvas" ref={canvasArea}>
          <div className="canvas-tools" role="toolbar" aria-label="Canvas tools">
            <button type="button" className="canvas-tool" aria-pressed={paletteOpen} onClick={togglePalette} title="Show or hide the list of steps">
              {paletteOpen ? '‹ Hide steps' : '› Steps'}
            </button>
            <FindNode onFocus={focusNode} />
            {!readOnly && (
              <button type="button" className="canvas-tool" onClick={addNote} title="A note for people reading the workflow; it never runs">
                + Note
              </button>
            )}
          </div>
          <button type="button" className="canvas-tool panel-toggle" aria-pressed={panelOpen} onClick={togglePanel} title="Show or hide the step settings, test run and versions">
            {panelOpen ? 'Hide panel ›' : '‹ Panel'}
          </button>
          <WorkflowCanvas readOnly={readOnly} onAddAt={addAt} />
          {empty && !readOnly && (
            <div className="empty-hint" aria-hidden>
              Start by dragging <strong>When an event arrives</strong> onto the canvas.
            </div>
          )}
          <ProblemsList problems={problems} warnings={warnings} onFocus={focusProblem} />
        </div>
        {panelOpen && <SidePanel workflow={workflow} readOnly={readOnly} save={save} onPublished={publishing.onPublished} />}
      </div>
      {leaveDialog}
    </div>
  );
}
