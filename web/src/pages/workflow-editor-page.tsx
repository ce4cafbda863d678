import type { Workflow } from '@tripline/shared';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { WorkflowEditor } from '../canvas/editor.tsx';
import { ApiError } from '../canvas/http.ts';
import { workflowsApi } from '../canvas/workflow-api.ts';

/** `/workflows/:id`: a shareable deep link to one workflow's canvas. `/workflows/new` starts a blank one. */
export function WorkflowEditorPage() {
  const { id } = useParams();
  if (!id || id === 'new') return <CreateBlank />;
  return <LoadWorkflow key={id} id={id} />;
}

function LoadWorkflow({ id }: { id: string }) {
  const [workflow, setWorkflow] = useState<Workflow>();
  const [error, setError] = useState<ApiError | Error>();
  useEffect(() => {
    let live = true;
    workflowsApi.get(id).then(
      (w) => live && setWorkflow(w),
      (err: unknown) => live && setError(err instanceof Error ? err : new Error(String(err))),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <LoadError error={error} />;
  if (!workflow) return <p className="page-loading" role="status">Loading workflow…</p>;
  return <WorkflowEditor workflow={workflow} />;
}

function CreateBlank() {
  const navigate = useNavigate();
  const [error, setError] = useState<Error>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    workflowsApi.create({ name: 'Untitled workflow', graph: { nodes: [], edges: [] } }).then(
      (w) => navigate(`/workflows/${encodeURIComponent(w.id)}`, { replace: true }),
      (err: unknown) => setError(err instanceof Error ? err : new Error(String(err))),
    );
  }, [navigate]);
  if (error) return <LoadError error={error} />;
  return <p className="page-loading" role="status">Creating a workflow…</p>;
}

function LoadError({ error }: { error: Error }) {
  const status = error instanceof ApiError ? error.status : 0;
  return (
    <div className="page-error" role="alert">
      <h1>{status === 404 ? 'This workflow does not exist' : status === 401 ? 'Please sign in' : 'The workflow could not be opened'}</h1>
      <p>{status === 404 ? 'It may have been deleted.' : error.message}</p>
      <p>
        {status === 401 ? <a href="/login">Sign in</a> : <Link to="/workflows">All workflows</Link>}
      </p>
    </div>
  );
}
