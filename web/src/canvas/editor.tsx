import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { isNodeType, nodeOutputs, type GraphProblem, type PublishResult, type Workflow } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useStore, type StoreApi } from 'zustand';
import './canvas.css';
import { checkConnection } from './connection-rules.ts';
import { toGraph } from './flow-graph.ts';
import { downloadWorkflow } from './file-io.ts';
import { ApiError } from './http.ts';
import { Inspector, problemText } from './inspector.tsx';
import { useLookups } from './lookups.ts';
import { Palette } from './palette.tsx';
import { publisherRoles, useCanEditWorkflows, useReadOnlyReason } from './permissions.ts';
import { CanvasContext, createCanvasStore, type CanvasState } from './store.ts';
import { TestRunPanel } from './test-run-panel.tsx';
import { useDraftSaver, type SaveStatus } from './use-draft-saver.ts';
import { useShortcuts } from './use-shortcuts.ts';
import { useUnsavedGuard } from './use-unsaved-guard.ts';
import { VersionsPanel } from './versions-panel.tsx';
import { WorkflowCanvas } from './workflow-canvas.tsx';
import { workflowsApi } from './workflow-api.ts';

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

type Tab = 'step' | 'test' | 'versions';

const saveLabels: Record<SaveStatus, string> = {
  saved: 'All changes saved',
  unsaved: 'Unsaved changes…',
  saving: 'Saving…',
  error: 'Not saved',
  conflict: 'Not saved: conflict',
};

const selectProblems = (s: CanvasState) => s.problems;
const selectCanUndo = (s: CanvasState) => s.past.length > 0;
const selectCanRedo = (s: CanvasState) => s.future.length > 0;
const selectSelectedId = (s: CanvasState) => s.nodes.find((n) => n.selected)?.id;
const selectEmpty = (s: CanvasState) => s.nodes.length === 0;

function EditorLayout({ store, initial }: { store: StoreApi<CanvasState>; initial: Workflow }) {
  const canEdit = useCanEditWorkflows();
  const readOnly = !canEdit;
  const readOnlyReason = useReadOnlyReason();
  const saver = useDraftSaver(store, initial);
  const { workflow, setWorkflow, status, save, isDirty } = saver;
  const problems = useStore(store, selectProblems);
  const canUndo = useStore(store, selectCanUndo);
  const canRedo = useStore(store, selectCanRedo);
  const selectedId = useStore(store, selectSelectedId);
  const empty = useStore(store, selectEmpty);
  const flow = useReactFlow();
  const [tab, setTab] = useState<Tab>('step');
  const [notice, setNotice] = useState<{ kind: 'error' | 'ok'; text: string; details?: string[] }>();
  const [publishing, setPublishing] = useState(false);
  const lastSelected = useRef<string | undefined>(undefined);

  useUnsavedGuard(isDirty, save);

  // names for node summaries ("to Messaging tool", "activate VIP"), loaded once per page
  const loadLookups = useLookups((l) => l.load);
  useEffect(() => {
    loadLookups('endpoints');
    loadLookups('campaigns');
  }, [loadLookups]);

  useEffect(() => {
    if (selectedId && selectedId !== lastSelected.current) setTab('step');
    lastSelected.current = selectedId;
  }, [selectedId]);

  const fit = useCallback(() => void flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }), [flow]);

  /**
   * Brings a step placed at `position` into view (a step added after the last one lands past
   * the right edge). The whole workflow is shown when it fits at a readable zoom, so the
   * steps before it stay in view; otherwise the view shifts just enough to show the new one.
   */
  const revealAt = useCallback(
    (position: { x: number; y: number }) => {
      const box = document.querySelector('[data-testid="workflow-canvas"]')?.getBoundingClientRect();
      if (!box) return;
      const W = 220;
      const H = 90;
      const topLeft = flow.screenToFlowPosition({ x: box.left, y: box.top });
      const bottomRight = flow.screenToFlowPosition({ x: box.right, y: box.bottom });
      if (position.x >= topLeft.x && position.x + W <= bottomRight.x && position.y >= topLeft.y && position.y + H <= bottomRight.y) return;
      const vp = flow.getViewport();
      const all = [...store.getState().nodes.map((n) => n.position), position];
      const minX = Math.min(...all.map((p) => p.x)) - 40;
      const minY = Math.min(...all.map((p) => p.y)) - 40;
      const maxX = Math.max(...all.map((p) => p.x + W)) + 40;
      const maxY = Math.max(...all.map((p) => p.y + H)) + 40;
      const fitZoom = Math.min(vp.zoom, box.width / (maxX - minX), box.height / (maxY - minY));
      if (fitZoom >= 0.5) {
        const cx = (minX + maxX) / 2;
        const cy = (minY + maxY) / 2;
        void flow.setViewport({ zoom: fitZoom, x: box.width / 2 - cx * fitZoom, y: box.height / 2 - cy * fitZoom }, { duration: 200 });
        return;
      }
      const dx = Math.min(0, bottomRight.x - 40 - (position.x + W)) || Math.max(0, topLeft.x + 40 - position.x);
      const dy = Math.min(0, bottomRight.y - 40 - (position.y + H)) || Math.max(0, topLeft.y + 40 - position.y);
      void flow.setViewport({ x: vp.x + dx * vp.zoom, y: vp.y + dy * vp.zoom, zoom: vp.zoom }, { duration: 200 });
    },
    [flow, store],
  );

  /** Palette press (keyboard or click): after the selected step, wired to its free output. */
  const addFromPalette = useCallback(
    (type: string) => {
      if (readOnly || !isNodeType(type)) return;
      const s = store.getState();
      const from = s.nodes.find((n) => n.selected);
      let position: { x: number; y: number };
      if (from) {
        position = { x: from.position.x + 300, y: from.position.y };
        while (s.nodes.some((n) => Math.abs(n.position.x - position.x) < 100 && Math.abs(n.position.y - position.y) < 60)) position = { x: position.x, y: position.y + 120 };
      } else {
        const box = document.querySelector('[data-testid="workflow-canvas"]')?.getBoundingClientRect();
        const center = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
        position = { x: center.x - 110 + (s.nodes.length % 5) * 20, y: center.y - 40 + (s.nodes.length % 5) * 20 };
      }
      const id = s.addNode(type, position);
      if (id) revealAt(position);
      if (!id || !from?.type || !isNodeType(from.type)) return;
      const after = store.getState();
      const free = nodeOutputs(from.type, from.data.config).find((h) => checkConnection({ source: from.id, sourceHandle: h, target: id }, after.nodes, after.edges).ok);
      if (free) after.setOutputTarget(from.id, free, id);
    },
    [flow, readOnly, revealAt, store],
  );
  const addAt = useCallback((type: string, position: { x: number; y: number }) => void store.getState().addNode(type, position), [store]);

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
    }),
    [fit, save, store],
  );
  useShortcuts(actions, !readOnly);

  const publish = async () => {
    setPublishing(true);
    setNotice(undefined);
    try {
      if (!(await save())) {
        setNotice({ kind: 'error', text: 'The draft could not be saved, so it was not published.' });
        return;
      }
      onPublished(await workflowsApi.publish(workflow.id));
    } catch (err) {
      if (err instanceof ApiError) setNotice({ kind: 'error', text: err.message, details: err.details.map((d) => `${d.nodeId ? `${d.nodeId}: ` : ''}${d.message}`) });
      else setNotice({ kind: 'error', text: String(err) });
    } finally {
      setPublishing(false);
    }
  };

  /** After a publish or a rollback: the live version changes, the draft (and its save state) does not. */
  const onPublished = useCallback(
    (result: PublishResult) => {
      const { published, message, ...next } = result;
      // the server's draft is untouched by publishing, so its revision stays the one we saved
      setWorkflow(next);
      setNotice({ kind: 'ok', text: published ? message : `${message.charAt(0).toUpperCase()}${message.slice(1)}.` });
    },
    [setWorkflow],
  );

  const toggleEnabled = async () => {
    try {
      setWorkflow(await (workflow.enabled ? workflowsApi.disable(workflow.id) : workflowsApi.enable(workflow.id)));
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  const exportJson = () => {
    const s = store.getState();
    downloadWorkflow({ name: saver.name, ...(workflow.description ? { description: workflow.description } : {}), graph: toGraph(s.nodes, s.edges) });
  };

  const focusProblem = (p: GraphProblem) => {
    const node = p.nodeId ? store.getState().nodes.find((n) => n.id === p.nodeId) : undefined;
    if (!node) return;
    store.getState().select([node.id]);
    void flow.setCenter(node.position.x + 110, node.position.y + 40, { zoom: Math.max(flow.getZoom(), 0.9), duration: 200 });
  };

  const invalid = problems.length > 0;
  const publishBlocked = readOnly || invalid || publishing || status === 'conflict';

  return (
    <div className="editor">
      <header className="editor-bar">
        <Link to="/workflows" className="back-link" aria-label="All workflows">
          ←
        </Link>
        <label className="visually-hidden" htmlFor="workflow-name">
          Workflow name
        </label>
        <input
          id="workflow-name"
          className="name-input"
          value={saver.name}
          disabled={readOnly}
          aria-invalid={saver.name.trim() ? undefined : true}
          aria-describedby={saver.name.trim() ? undefined : 'workflow-name-error'}
          onChange={(e) => saver.setName(e.target.value)}
        />
        {!saver.name.trim() && (
          <span id="workflow-name-error" className="form-error" role="alert">
            A workflow needs a name; it keeps “{workflow.name}” until you type one.
          </span>
        )}
        <span className={`save-status ${status}`} role="status" data-testid="save-status">
          {saveLabels[status]}
        </span>
        <div className="toolbar" role="toolbar" aria-label="Editor">
          <button type="button" onClick={actions.undo} disabled={!canUndo || readOnly} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={actions.redo} disabled={!canRedo || readOnly} title="Redo (Ctrl+Y)">
            Redo
          </button>
          <button type="button" onClick={actions.layout} disabled={readOnly} title="Tidy layout (L)">
            Layout
          </button>
          <button type="button" onClick={fit} title="Zoom to fit (F)">
            Fit
          </button>
          <button type="button" onClick={exportJson} title="Download as JSON">
            Export
          </button>
        </div>
        <div className="publish-area">
          <span className="muted" data-testid="publish-state">
            {workflow.publishedVersion === null ? 'Never published' : `Live: v${workflow.publishedVersion}${workflow.hasUnpublishedChanges ? ' · draft has changes' : ''}`}
          </span>
          {workflow.publishedVersion !== null && (
            <label className="switch" title="A disabled workflow keeps its versions but starts no runs">
              <input type="checkbox" checked={workflow.enabled} disabled={readOnly} onChange={toggleEnabled} />
              {workflow.enabled ? 'Enabled' : 'Disabled'}
            </label>
          )}
          <button
            type="button"
            className="primary-button"
            onClick={publish}
            disabled={publishBlocked}
            aria-describedby={invalid ? 'publish-blocked' : undefined}
            title={readOnly ? `Only ${publisherRoles()} can publish` : invalid ? 'Fix the problems marked in red first' : 'Make this draft the live version'}
          >
            {publishing ? 'Publishing…' : 'Publish'}
          </button>
        </div>
      </header>
      {readOnly && (
        <div className="banner info" role="note" data-testid="read-only-note">
          {readOnlyReason}
        </div>
      )}
      {status === 'conflict' && (
        <div className="banner error" role="alert">
          Someone else saved this workflow since you opened it; your latest changes are not saved.
          <button type="button" onClick={() => void saver.reloadTheirs()}>
            Reload their version
          </button>
          <button type="button" onClick={() => void saver.overwrite()}>
            Overwrite with mine
          </button>
        </div>
      )}
      {status === 'error' && saver.error && (
        <div className="banner error" role="alert">
          Saving failed: {saver.error}{' '}
          <button type="button" onClick={() => void save()}>
            Retry
          </button>
        </div>
      )}
      {notice && (
        <div className={`banner ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          {notice.details && notice.details.length > 0 && (
            <ul>
              {notice.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotice(undefined)}>
            ×
          </button>
        </div>
      )}
      <div className="editor-body">
        <Palette onAdd={addFromPalette} disabled={readOnly} />
        <div className="editor-canvas">
          <WorkflowCanvas readOnly={readOnly} onAddAt={addAt} />
          {empty && !readOnly && (
            <div className="empty-hint" aria-hidden>
              Start by dragging <strong>When an event arrives</strong> onto the canvas.
            </div>
          )}
          {invalid && (
            <details className="problems" data-testid="problems" open={problems.length <= 3}>
              <summary id="publish-blocked">
                {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before publishing
              </summary>
              <ul>
                {problems.slice(0, 50).map((p, i) => (
                  <li key={i}>
                    {p.nodeId ? (
                      <button type="button" className="link-button" onClick={() => focusProblem(p)}>
                        {problemText(p)}
                      </button>
                    ) : (
                      problemText(p)
                    )}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
        <aside className="side-panel">
          <div className="tabs" role="tablist" aria-label="Panels">
            {(['step', 'test', 'versions'] as const).map((t) => (
              <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
                {t === 'step' ? 'Step' : t === 'test' ? 'Test run' : 'Versions'}
              </button>
            ))}
          </div>
          <div className="panel-body">
            {tab === 'step' && <Inspector readOnly={readOnly} />}
            {tab === 'test' && <TestRunPanel workflowId={workflow.id} ensureSaved={save} />}
            {tab === 'versions' && <VersionsPanel workflow={workflow} onPublished={onPublished} readOnly={readOnly} />}
          </div>
        </aside>
      </div>
    </div>
  );
}
