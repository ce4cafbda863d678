import { diffGraphs, type PublishResult, type Workflow, type WorkflowGraph } from '@tripline/shared';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { DiffView } from './diff-view.tsx';
import { toGraph } from './flow-graph.ts';
import { ApiError } from './http.ts';
import { useCanvasStoreApi } from './store.ts';
import { workflowsApi, type WorkflowVersion } from './workflow-api.ts';

const DRAFT = 'draft';

/** Published versions: list, compare any two (or one with the draft), roll back. */
export function VersionsPanel({ workflow, onPublished, readOnly }: { workflow: Workflow; onPublished: (r: PublishResult) => void; readOnly: boolean }) {
  const store = useCanvasStoreApi();
  const [versions, setVersions] = useState<WorkflowVersion[]>();
  const [error, setError] = useState<string>();
  const [from, setFrom] = useState<string>('');
  const [to, setTo] = useState<string>(DRAFT);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const reload = useCallback(() => {
    workflowsApi.versions(workflow.id).then(
      (list) => {
        const sorted = [...list].sort((a, b) => b.version - a.version);
        setVersions(sorted);
        setError(undefined);
        setFrom((f) => f || (sorted[0] ? String(sorted[0].version) : ''));
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [workflow.id]);
  useEffect(reload, [reload, workflow.publishedVersion]);

  const graphOf = useCallback(
    (key: string): WorkflowGraph | undefined => {
      if (key === DRAFT) {
        const s = store.getState();
        return toGraph(s.nodes, s.edges);
      }
      return versions?.find((v) => String(v.version) === key)?.graph;
    },
    [store, versions],
  );
  const diff = useMemo(() => {
    const a = graphOf(from);
    const b = graphOf(to);
    return a && b ? diffGraphs(a, b) : undefined;
  }, [from, to, graphOf]);

  const rollBack = async (version: number) => {
    if (!window.confirm(`Publish version ${version} again? It becomes the live version; your draft is kept.`)) return;
    setBusy(true);
    try {
      onPublished(await workflowsApi.publish(workflow.id, version));
      reload();
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="versions" aria-label="Versions">
      <h2>Versions</h2>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {versions === undefined && !error && <p className="muted">Loading…</p>}
      {versions?.length === 0 && <p className="muted">Nothing published yet. Publish makes the current draft the live version.</p>}
      {versions && versions.length > 0 && (
        <>
          <ol className="version-list">
            {versions.map((v) => (
              <li key={v.version} data-testid={`version-${v.version}`}>
                <div>
                  <strong>v{v.version}</strong> {v.version === workflow.publishedVersion && <span className="status-badge live">live</span>}
                  {v.rolledBackFrom !== null && <span className="muted"> · rollback of v{v.rolledBackFrom}</span>}
                </div>
                <div className="muted">
                  {new Date(v.publishedAt).toLocaleString()}
                  {v.publishedBy ? ` · ${v.publishedBy}` : ''}
                </div>
                {!readOnly && v.version !== workflow.publishedVersion && (
                  <button type="button" className="link-button" disabled={busy} onClick={() => rollBack(v.version)}>
                    Roll back to v{v.version}
                  </button>
                )}
              </li>
            ))}
          </ol>
          <h3>Compare</h3>
          <div className="row compare">
            <label htmlFor={`${id}-from`}>From</label>
            <select id={`${id}-from`} aria-label="Compare from" value={from} onChange={(e) => setFrom(e.target.value)}>
              {versions.map((v) => (
                <option key={v.version} value={String(v.version)}>
                  v{v.version}
                </option>
              ))}
              <option value={DRAFT}>draft</option>
            </select>
            <label htmlFor={`${id}-to`}>to</label>
            <select id={`${id}-to`} aria-label="Compare to" value={to} onChange={(e) => setTo(e.target.value)}>
              {versions.map((v) => (
                <option key={v.version} value={String(v.version)}>
                  v{v.version}
                </option>
              ))}
              <option value={DRAFT}>draft</option>
            </select>
          </div>
          {diff && <DiffView diff={diff} />}
        </>
      )}
    </section>
  );
}
