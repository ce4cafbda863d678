import { useSession } from '../auth/session.tsx';

/** Whether the signed-in person may change workflows (the server checks it again on every write). */
export function useCanEditWorkflows(): boolean {
  return useSession().can('workflows:write');
}
