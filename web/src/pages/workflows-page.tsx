import { instantiateTemplate, workflowTemplates, type Workflow, type WorkflowInput, type WorkflowTemplate } from '@tripline/shared';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import '../canvas/canvas.css';
import { downloadWorkflow, parseWorkflowFile } from '../canvas/file-io.ts';
import { ApiError } from '../canvas/http.ts';
import { useLookups } from '../canvas/lookups.ts';
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
              <TemplateCard key={t.id} template={t} busy={busy} onCreate={(choices) => create(instantiateTemplate(t, choices))} />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

/**
 * A template, and once chosen, its blanks (which endpoint, which campaign) picked from what
 * exists. Any blank may stay empty: the editor then marks that step until it is chosen.
 */
function TemplateCard({ template, busy, onCreate }: { template: WorkflowTemplate; busy: boolean; onCreate: (choices: Record<string, string>) => void }) {
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const endpoints = useLookups((l) => l.endpoints);
  const campaigns = useLookups((l) => l.campaigns);
  const load = useLookups((l) => l.load);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    load('endpoints');
    load('campaigns');
  }, [open, load]);
  return (
    <article className="template-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{template.name}</h3>
      <p>{template.description}</p>
      {!open ? (
        <button type="button" disabled={busy} onClick={() => setOpen(true)} aria-label={`Use template: ${template.name}`}>
          Use this template
        </button>
      ) : (
        <form
          className="template-form"
          onSubmit={(e) => {
            e.preventDefault();
            onCreate(choices);
          }}
        >
          {template.slots.map((slot) => {
            const options = slot.field === 'endpointId' ? endpoints.map((e) => ({ id: e.id, label: e.description || e.url })) : campaigns.map((c) => ({ id: c.id, label: c.name }));
            return (
              <div key={slot.nodeId} className="form-field">
                <label htmlFor={`${id}-${slot.nodeId}`} className="form-label">
                  {slot.label}
                </label>
                <select id={`${id}-${slot.nodeId}`} value={choices[slot.nodeId] ?? ''} onChange={(e) => setChoices((c) => ({ ...c, [slot.nodeId]: e.target.value }))}>
                  <option value="">Choose later</option>
                  {options.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
          <div className="row">
            <button type="submit" className="primary-button" disabled={busy}>
              Create workflow
            </button>
            <button type="button" className="link-button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
