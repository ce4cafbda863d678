import { diffGraphs, type PublishResult, type Workflow, type WorkflowGraph, type WorkflowVersion } from '@tripline/shared';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ConfirmButton } from '../ui/index.ts';
import { DiffView } from './diff-view.tsx';
import { toGraph } from './flow-graph.ts';
import { ApiError } from './http.ts';
import { useCanvasStoreApi } from './store.ts';
import { workflowsApi } from './workflow-api.ts';

const DRAFT = 'draft';

/** Published versions: list, compare any two (or one with the draft), roll back. */
export function VersionsPanel({ workflow, onPublished, readOnly }: { workflow: Workflow; onPublished: (r: PublishResult) => void; readOnly: boolean }) {
  const [versions, setVersions] = useState<WorkflowVersion[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const reload = useCallback(() => {
    workflowsApi.versions(workflow.id).then(
      (list) => {
        setVersions([...list].sort((a, b) => b.version - a.version));
        setError(undefined);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [workflow.id]);
  useEffect(reload, [reload, workflow.publishedVersion]);

  const rollBack = async (version: number) => {
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
              <VersionItem key={v.version} version={v} live={v.version === workflow.publishedVersion} canRollBack={!readOnly} busy={busy} onRollBack={rollBack} />
            ))}
          </ol>
          <VersionCompare versions={versions} />
        </>
      )}
    </section>
  );
}

function VersionItem({ version: v, live, canRollBack, busy, onRollBack }: { version: WorkflowVersion; live: boolean; canRollBack: boolean; busy: boolean; onRollBack: (version: number) => Promise<void> }) {
  return (
    <li data-testid={`version-${v.version}`}>
      <div>
        <strong>v{v.version}</strong> {live && <span className="status-badge live">live</span>}
        {v.rolledBackFrom !== null && <span className="muted"> · rollback of v{v.rolledBackFrom}</span>}
      </div>
      <div className="muted">
        {new Date(v.publishedAt).toLocaleString()}
        {v.publishedBy ? ` · ${v.publishedBy}` : ''}
      </div>
      {canRollBack && !live && (
        <ConfirmButton
          label={`Roll back to v${v.version}`}
          question={`Publish version ${v.version} again? It becomes the live version; your draft is kept.`}
          danger={false}
          disabled={busy}
          onConfirm={() => onRollBack(v.version)}
        />
      )}
    </li>
  );
}

/** Compare any two published versions, or one with the current draft. */
function VersionCompare({ versions }: { versions: WorkflowVersion[] }) {
  const store = useCanvasStoreApi();
  const [from, setFrom] = useState<string>(String(versions[0]!.version));
  const [to, setTo] = useState<string>(DRAFT);
  const id = useId();

  const graphOf = useCallback(
    (key: string): WorkflowGraph | undefined => {
      if (key === DRAFT) {
        const s = store.getState();
        return toGraph(s.nodes, s.edges);
      }
      return versions.find((v) => String(v.version) === key)?.graph;
    },
    [store, versions],
  );
  const diff = useMemo(() => {
    const a = graphOf(from);
    const b = graphOf(to);
    return a && b ? diffGraphs(a, b) : undefined;
  }, [from, to, graphOf]);

  return (
    <>
      <h3>Compare</h3>
      <div className="row compare">
        <VersionSelect id={`${id}-from`} label="From" ariaLabel="Compare from" versions={versions} value={from} onChange={setFrom} />
        <VersionSelect id={`${id}-to`} label="to" ariaLabel="Compare to" versions={versions} value={to} onChange={setTo} />
      </div>
      {diff && <DiffView diff={diff} />}
    </>
  );
}

function VersionSelect({ id, label, ariaLabel, versions, value, onChange }: { id: string; label: string; ariaLabel: string; versions: WorkflowVersion[]; value: string; onChange: (value: string) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)}>
        {versions.map((v) => (
          <option key={v.version} value={String(v.version)}>
            v{v.version}
          </option>
        ))}
        <option value={DRAFT}>draft</option>
      </select>
    </>
  );
}
