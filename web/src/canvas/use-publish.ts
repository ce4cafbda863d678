import type { PublishResult, Workflow } from '@tripline/shared';
import { useCallback, useState } from 'react';
import { ApiError } from './http.ts';
import { workflowsApi } from './workflow-api.ts';

export type Notice = { kind: 'error' | 'ok'; text: string; details?: string[] };

/** Publish, rollback results and enable / disable, with the notice each leaves on screen. */
export function usePublish(workflow: Workflow, setWorkflow: (w: Workflow) => void, save: () => Promise<boolean>) {
  const [notice, setNotice] = useState<Notice>();
  const [publishing, setPublishing] = useState(false);

  /** After a publish or a rollback: the live version changes, the draft (and its save state) does not. */
  const onPublished = useCallback(
    (result: PublishResult) => {
      const { published, message, warnings, ...next } = result;
      // the server's draft is untouched by publishing, so its revision stays the one we saved
      setWorkflow(next);
      const text = published ? message : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
      setNotice({ kind: 'ok', text, ...(warnings?.length ? { details: warnings.map((w) => `Warning${w.nodeId ? ` (${w.nodeId})` : ''}: ${w.message}`) } : {}) });
    },
    [setWorkflow],
  );

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

  const toggleEnabled = async () => {
    try {
      setWorkflow(await (workflow.enabled ? workflowsApi.disable(workflow.id) : workflowsApi.enable(workflow.id)));
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  return { notice, setNotice, publishing, publish, onPublished, toggleEnabled };
}
