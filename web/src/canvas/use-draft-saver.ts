import type { Workflow } from '@tripline/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoreApi } from 'zustand';
import { toGraph } from './flow-graph.ts';
import { ApiError } from './http.ts';
import type { CanvasState } from './store.ts';
import { workflowsApi } from './workflow-api.ts';

export type SaveStatus = 'saved' | 'unsaved' | 'saving' | 'error' | 'conflict';

const AUTOSAVE_MS = 1200;

/**
 * Keeps the server's draft in step with the canvas: a debounced PUT after each change, sent
 * with the revision it was based on. A 409 means someone else saved in between: nothing is
 * overwritten; the page asks whether to reload theirs or overwrite with ours.
 */
export function useDraftSaver(store: StoreApi<CanvasState>, initial: Workflow) {
  const [workflow, setWorkflowState] = useState(initial);
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string>();
  const workflowRef = useRef(initial);
  const savedSeq = useRef(store.getState().changeSeq);
  const nameRef = useRef(initial.name);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const conflict = useRef(false);

  const setWorkflow = useCallback((w: Workflow) => {
    workflowRef.current = w;
    setWorkflowState(w);
  }, []);

  // a blank name is refused beside the field and never sent, so it does not count as unsaved
  const nameToSave = () => nameRef.current.trim() || workflowRef.current.name;
  const isDirty = useCallback(() => store.getState().changeSeq !== savedSeq.current || nameToSave() !== workflowRef.current.name, [store]);

  const save = useCallback(async (): Promise<boolean> => {
    if (conflict.current) return false;
    if (inFlight.current) await inFlight.current;
    if (!isDirty()) return true;
    const s = store.getState();
    const seq = s.changeSeq;
    const body = { name: nameToSave(), graph: toGraph(s.nodes, s.edges), revision: workflowRef.current.revision };
    setStatus('saving');
    const attempt = (async () => {
      try {
        const saved = await workflowsApi.update(workflowRef.current.id, body);
        savedSeq.current = seq;
        setWorkflow(saved);
        setError(undefined);
        setStatus(isDirty() ? 'unsaved' : 'saved');
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          conflict.current = true;
          setStatus('conflict');
        } else {
          setStatus('error');
          setError(err instanceof Error ? err.message : String(err));
        }
        return false;
      }
    })();
    inFlight.current = attempt;
    try {
      return await attempt;
    } finally {
      inFlight.current = null;
    }
  }, [isDirty, setWorkflow, store]);

  // autosave: debounce after each change
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.changeSeq === prev.changeSeq) return;
      if (!conflict.current) setStatus(s.changeSeq === savedSeq.current ? 'saved' : 'unsaved');
      clearTimeout(timer);
      timer = setTimeout(() => void save(), AUTOSAVE_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [save, store]);

  const nameTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const setName = useCallback(
    (name: string) => {
      nameRef.current = name;
      setWorkflowState((w) => ({ ...w }));
      if (conflict.current) return;
      setStatus(isDirty() ? 'unsaved' : 'saved');
      // a rename autosaves like any other change
      clearTimeout(nameTimer.current);
      if (name.trim()) nameTimer.current = setTimeout(() => void save(), AUTOSAVE_MS);
    },
    [isDirty, save],
  );
  useEffect(() => () => clearTimeout(nameTimer.current), []);

  /** Their version wins: load the server's draft, dropping ours. */
  const reloadTheirs = useCallback(async () => {
    const latest = await workflowsApi.get(workflowRef.current.id);
    conflict.current = false;
    store.getState().load(latest.graph);
    savedSeq.current = store.getState().changeSeq;
    nameRef.current = latest.name;
    setWorkflow(latest);
    setStatus('saved');
  }, [setWorkflow, store]);

  /** Ours wins: save on top of the latest revision, knowingly. */
  const overwrite = useCallback(async () => {
    const latest = await workflowsApi.get(workflowRef.current.id);
    conflict.current = false;
    workflowRef.current = { ...workflowRef.current, revision: latest.revision };
    savedSeq.current = -1;
    return save();
  }, [save]);

  return { workflow, setWorkflow, status, error, save, isDirty, name: nameRef.current, setName, reloadTheirs, overwrite };
}
