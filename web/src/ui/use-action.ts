import { useCallback, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { formErrors, type Unit } from '../forms/messages.ts';
import { toApiError } from './use-query.ts';

export interface ActionState {
  /** The last failure, with what was being done ("Saving the retention"). */
  failure: { error: ApiError; action: string } | undefined;
  /** What the last success said, for a status line. */
  notice: string | undefined;
  busy: boolean;
  /**
   * Runs one change: clears the last outcome, awaits `fn`, keeps what it returns as the
   * notice or the error it throws as the failure. Resolves to whether it succeeded.
   */
  run: (action: string, fn: () => Promise<string | void>) => Promise<boolean>;
  /** The failure's message for one field, in plain words, to show beside it. */
  fieldError: (field: string) => string | undefined;
  /** The failure without what is shown beside fields (undefined when nothing is left). */
  general: { message: string; action: string } | { error: ApiError; action: string } | undefined;
  clear: () => void;
}

/**
 * A page's writes: one hook keeps "working…", the error and the success message, so no
 * page hand-rolls try/catch and setError. With `fields`, validation errors are split: each
 * named field's message goes beside the field, the rest to the banner.
 */
export function useAction(fields: readonly string[] = [], units: Record<string, Unit> = {}): ActionState {
  const [failure, setFailure] = useState<{ error: ApiError; action: string }>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = useCallback(async (action: string, fn: () => Promise<string | void>) => {
    setFailure(undefined);
    setNotice(undefined);
    setBusy(true);
    try {
      const said = await fn();
      if (said) setNotice(said);
      return true;
    } catch (e) {
      setFailure({ error: toApiError(e), action });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  const split = failure && fields.length > 0 && failure.error.details.length > 0 ? formErrors(failure.error, fields, units) : undefined;
  const general = !failure ? undefined : !split ? failure : split.general ? { message: split.general, action: failure.action } : undefined;
  return {
    failure,
    notice,
    busy,
    run,
    fieldError: (field) => split?.byField.get(field),
    general,
    clear: () => {
      setFailure(undefined);
      setNotice(undefined);
    },
  };
}
