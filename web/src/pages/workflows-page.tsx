import { instantiateTemplate, isNodeType, nodeDefinition, workflowTemplates, type Workflow, type WorkflowInput } from '@tripline/shared';
import { useRef, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { Link, useNavigate } from 'react-router';
import '../canvas/canvas.css';
import { downloadWorkflow, parseWorkflowFile } from '../canvas/file-io.ts';
import { useSession } from '../auth/session.tsx';
import { useCanEditWorkflows } from '../canvas/permissions.ts';
import { workflowsApi } from '../canvas/workflow-api.ts';
import { ActionFeedback, ConfirmButton, DataTable, PermissionNote, EmptyState, PageHeader, Time, useAction, useQuery, type ActionState, type Column } from '../ui/index.ts';
import { TemplateCard } from './workflow-templates.tsx';

/** `/workflows`: every workflow, and the three ways to start one: blank, from a template, from a file. */
export function WorkflowsPage() {
  const navigate = useNavigate();
  const canEdit = useCanEditWorkflows();
  const workflows = useQuery<{ data: Workflow[] }>('/workflows');
  const action = useAction();
  const [importErrors, setImportErrors] = useState<string[]>();
  const refusedSteps = useRefusedSteps();
  const create = (input: WorkflowInput) =>
    action.run('Creating the workflow', async () => {
      const w = await workflowsApi.create(input);
      navigate(`/workflows/${encodeURIComponent(w.id)}`);
    });
  return (
    <div className="page workflows-page">
      <PageHeader
        title="Workflows"
        actions={canEdit && <CreateButtons busy={action.busy} onCreate={(input) => void create(input)} onImportErrors={setImportErrors} />}
      />
      <PermissionNote permission="workflows:write" action="Creating, changing and publishing workflows" />
      <ActionFeedback state={action} />
      {importErrors && (
        <div className="error-banner" role="alert" data-testid="import-errors">
          This file cannot be imported:
          <ul>
            {importErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <WorkflowList workflows={workflows.data?.data} loading={workflows.loading} error={workflows.error} canEdit={canEdit} action={action} onChanged={() => void workflows.reload()} />
      {canEdit && (
        <section className="templates" aria-label="Templates">
          <h2>Start from a template</h2>
          <div className="template-grid">
            {workflowTemplates.map((t) => (
              <TemplateCard key={t.id} template={t} busy={action.busy} refusedSteps={refusedSteps(t.workflow.graph.nodes)} onCreate={(choices) => void create(instantiateTemplate(t, choices))} />
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

/**
 * For a marketer, the step types of a graph they may not add (the admin's `marketerStepTypes`
 * setting), by name; the server refuses them anyway, this says so before anyone tries.
 */
function useRefusedSteps(): (nodes: readonly { type: string }[]) => string[] {
  const { user } = useSession();
  const settings = useQuery<{ data: { marketerStepTypes?: string[] } }>(user.role === 'marketer' ? '/settings' : null);
  const allowed = settings.data?.data.marketerStepTypes;
  return (nodes) => {
    if (user.role !== 'marketer' || !allowed) return [];
    const refused = new Set(nodes.filter((n) => !allowed.includes(n.type)).map((n) => (isNodeType(n.type) ? nodeDefinition(n.type).displayName : n.type)));
    return [...refused];
  };
}

/** "New workflow" and "Import JSON…": a file is checked before anything is sent, and each problem named with its place. */
function CreateButtons({ busy, onCreate, onImportErrors }: { busy: boolean; onCreate: (input: WorkflowInput) => void; onImportErrors: (errors: string[] | undefined) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    onImportErrors(undefined);
    const result = parseWorkflowFile(await file.text());
    if (fileInput.current) fileInput.current.value = '';
    if (!result.ok) return onImportErrors(result.errors);
    onCreate(result.workflow);
  };
  return (
    <div className="row">
      <button type="button" className="primary" disabled={busy} onClick={() => onCreate({ name: 'Untitled workflow', graph: { nodes: [], edges: [] } })}>
        New workflow
      </button>
      <button type="button" disabled={busy} onClick={() => fileInput.current?.click()}>
        Import JSON…
      </button>
      <input ref={fileInput} type="file" accept="application/json,.json" className="visually-hidden" aria-label="Import workflow file" data-testid="import-file" onChange={(e) => void onImport(e.target.files?.[0])} />
    </div>
  );
}

function WorkflowStatus({ workflow: w }: { workflow: Workflow }) {
  if (w.publishedVersion === null) return <span className="status-badge draft">draft</span>;
  return (
    <>
      <span className={`status-badge ${w.enabled ? 'live' : 'disabled'}`}>{w.enabled ? 'enabled' : 'disabled'}</span> v{w.publishedVersion}
      {w.hasUnpublishedChanges && <span className="muted"> · unpublished changes</span>}
    </>
  );
}

function WorkflowList({ workflows, loading, error, canEdit, action, onChanged }: { workflows: Workflow[] | undefined; loading: boolean; error: ApiError | undefined; canEdit: boolean; action: ActionState; onChanged: () => void }) {
  const columns: Column<Workflow>[] = [
    { header: 'Name', cell: (w) => <Link to={`/workflows/${encodeURIComponent(w.id)}`}>{w.name}</Link> },
    { header: 'Trigger', cell: (w) => w.triggerEventType ?? <span className="muted">none</span> },
    { header: 'Status', cell: (w) => <WorkflowStatus workflow={w} /> },
    { header: 'Updated', cell: (w) => <Time at={w.updatedAt} /> },
    {
      header: <span className="visually-hidden">Actions</span>,
      className: 'row-actions',
      cell: (w) => (
        <>
          <button type="button" className="link-button" onClick={() => downloadWorkflow({ name: w.name, ...(w.description ? { description: w.description } : {}), graph: w.graph })}>
            Export
          </button>
          {canEdit && (
            <ConfirmButton
              label="Delete"
              question={`Delete “${w.name}”? Its run history is kept.`}
              onConfirm={() => action.run('Deleting the workflow', async () => { await workflowsApi.remove(w.id); onChanged(); })}
            />
          )}
        </>
      ),
    },
  ];
  return (
    <DataTable
      label="Workflows"
      rows={workflows}
      columns={columns}
      rowKey={(w) => w.id}
      loading={loading}
      error={{ error, action: 'Loading workflows' }}
      empty={<EmptyState title="No workflows yet">Start from a template below, or a blank canvas.</EmptyState>}
    />
  );
}
