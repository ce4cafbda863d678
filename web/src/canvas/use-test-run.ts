import { eventCatalog, findTrigger, isEventType } from '@tripline/shared';
import { useCallback, useState } from 'react';
import { plainApiMessage, plainMessage } from '../forms/messages.ts';
import { ApiError } from './http.ts';
import { useCanvasStoreApi } from './store.ts';
import { workflowsApi } from './workflow-api.ts';

export const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** The trigger's event type and the text a test runs with: what was typed, else the catalog example. */
export function sampleOf(state: { nodes: { type?: string; data: { config: Record<string, unknown> } }[]; testSample: string | undefined }) {
  const t = findTrigger(state.nodes)?.data.config.eventType;
  const eventType = typeof t === 'string' ? t : undefined;
  const example = eventType && isEventType(eventType) ? eventCatalog[eventType].example : undefined;
  return { eventType, example, text: state.testSample ?? (example ? pretty(example) : '{}') };
}

export interface TestRunner {
  run: (options?: { waits?: 'timeout' | 'received' }) => Promise<void>;
  running: boolean;
  error: string | undefined;
}

/**
 * Runs the draft dry against the test event (the Test run tab's sample), checked as an
 * ingested event would be. The result goes to the canvas store: drawn on the canvas, listed
 * in the Test run tab and shown per step in the inspector, so clicking a step keeps it.
 */
export function useTestRun(workflowId: string, ensureSaved: () => Promise<boolean>): TestRunner {
  const store = useCanvasStoreApi();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();

  const run = useCallback(
    async (options: { waits?: 'timeout' | 'received' } = {}) => {
      setError(undefined);
      const { eventType, text } = sampleOf(store.getState());
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        setError(`The sample is not valid JSON: ${err instanceof Error ? err.message : ''}`);
        return;
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        setError('The sample must be a JSON object: the event’s data, e.g. {"customerId": "cus_42"}.');
        return;
      }
      // the sample is checked as an ingested event would be, and the problem named per field
      const checked = eventType && isEventType(eventType) ? eventCatalog[eventType].schema.safeParse(data) : undefined;
      if (checked && !checked.success) {
        const problems = checked.error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ${plainMessage(i.message)}` : plainMessage(i.message)));
        setError(`The sample is not a valid ${eventType} event: ${problems.join('; ')}.`);
        return;
      }
      setRunning(true);
      try {
        if (!(await ensureSaved())) {
          setError('Save the workflow first (see the message above).');
          return;
        }
        const r = await workflowsApi.test(workflowId, { ...(eventType ? { type: eventType } : {}), data: data as Record<string, unknown> }, options);
        store.getState().setTestRun(r);
        store.getState().setHighlight(r);
      } catch (err) {
        store.getState().setTestRun(null);
        store.getState().setHighlight(null);
        setError(err instanceof ApiError ? `${plainApiMessage(err.message)}${err.details.length ? `: ${err.details.map((d) => plainMessage(d.message)).join('; ')}` : ''}` : String(err));
      } finally {
        setRunning(false);
      }
    },
    [ensureSaved, store, workflowId],
  );
  return { run, running, error };
}
