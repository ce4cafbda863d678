import { instantiateTemplate, workflowTemplates, type Workflow, type WorkflowInput } from '@tripline/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import '../canvas/canvas.css';
import { downloadWorkflow, parseWorkflowFile } from '../canvas/file-io.ts';
import { ApiError } from '../canvas/http.ts';
import { useCanEditWorkflows } from '../canvas/permissions.ts';
import { workflowsApi } from '../canvas/workflow-api.ts';

/** `/workflows`: every workflow, and the three ways to start one: blank, from a template, from a file. */
export function WorkflowsPage() {
  const navigate = useNavigate();
  const canEdit = useCanEditWorkflows();
  const [workflows, setWorkflows] = useState<Workflow[]>();
  const [error, setError] = useState<string>();
  const [importErrors, setImportErrors] = useState<string[]>();
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(() => {
    workflowsApi.list().then(setWorkflows, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(load, [load]);

  const create = async (input: WorkflowInput) => {
    setBusy(true);
    setError(undefined);
    try {
      const w = await workflowsApi.create(input);
      navigate(`/workflows/${encodeURIComponent(w.id)}`);
    } catch (err) {
      setError(err instanceof ApiError && err.details.length ? `${err.message}: ${err.details.map((d) => d.message).join('; ')}` : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const onImport = async (file: File | undefined) => {
    if (!file) return;
    setImportErrors(undefined);
    const result = parseWorkflowFile(await file.text());
    if (fileInput.current) fileInput.current.value = '';
    if (!result.ok) {
      setImportErrors(result.errors);
      return;
    }
    await create(result.workflow);
  };

  const remove = async (w: Workflow) => {
    if (!window.confirm(`Delete “${w.name}”? Its run history is kept.`)) return;
    try {
      await workflowsApi.remove(w.id);
      load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="page workflows-page">
      <header className="page-head">
        <h1>Workflows</h1>
        {canEdit && (
          <div className="row">
            <button type="button" className="primary-button" disabled={busy} onClick={() => create({ name: 'Untitled workflow', graph: { nodes: [], edges: [] } })}>
              New workflow
            </button>
            <button type="button" disabled={busy} onClick={() => fileInput.current?.click()}>
              Import JSON…
            </button>
            <input ref={fileInput} type="file" accept="application/json,.json" className="visually-hidden" aria-label="Import workflow file" data-testid="import-file" onChange={(e) => void onImport(e.target.files?.[0])} />
          </div>
        )}
      </header>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {importErrors && (
        <div className="banner error" role="alert" data-testid="import-errors">
          This file cannot be imported:
          <ul>
            {importErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}

      {workflows === undefined && !error && <p className="muted">Loading…</p>}
      {workflows && workflows.length === 0 && <p className="muted">No workflows yet. Start from a template below, or a blank canvas.</p>}
      {workflows && workflows.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {workflows.map((w) => (
              <tr key={w.id}>
                <td>
                  <Link to={`/workflows/${encodeURIComponent(w.id)}`}>{w.name}</Link>
                </td>
                <td>{w.triggerEventType ?? <span className="muted">none</span>}</td>
                <td>
                  {w.publishedVersion === null ? (
                    <span className="status-badge draft">draft</span>
                  ) : (
                    <>
                      <span className={`status-badge ${w.enabled ? 'live' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span> v{w.publishedVersion}
                      {w.hasUnpublishedChanges && <span className="muted"> · unpublished changes</span>}
                    </>
                  )}
                </td>
                <td>{new Date(w.updatedAt).toLocaleString()}</td>
                <td className="row">
                  <button type="button" className="link-button" onClick={() => downloadWorkflow({ name: w.name, ...(w.description ? { description: w.description } : {}), graph: w.graph })}>
                    Export
                  </button>
                  {canEdit && (
                    <button type="button" className="link-button danger" onClick={() => void remove(w)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canEdit && (
        <section className="templates" aria-label="Templates">
          <h2>Start from a template</h2>
          <div className="template-grid">
            {workflowTemplates.map((t) => (
              <article key={t.id} className="template-card">
                <h3>{t.name}</h3>
                <p>{t.description}</p>
                <p className="muted">You will choose: {t.slots.map((s) => s.label.toLowerCase()).join(', ')}.</p>
                <button type="button" disabled={busy} onClick={() => create(instantiateTemplate(t))} aria-label={`Use template: ${t.name}`}>
                  Use this template
                </button>
              </article>
            ))}
          </div>
        </section>
      )}
    </div>
  );
}
