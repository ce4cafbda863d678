import { useEffect, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useConfirmDialog } from '../ui/index.ts';

/**
 * Leaving with unsaved changes: a reload or closed tab gets the browser's prompt (the only
 * thing a page may show then); a link inside the app saves first, and if the save fails asks
 * in the page before discarding. (The app uses a plain BrowserRouter, whose navigation cannot
 * be blocked, so links are intercepted here.) Render the returned dialog in the editor.
 */
export function useUnsavedGuard(isDirty: () => boolean, save: () => Promise<boolean>): ReactNode {
  const navigate = useNavigate();
  const { ask, dialog } = useConfirmDialog();
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!isDirty()) return;
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a[href]');
      if (!(a instanceof HTMLAnchorElement) || a.target === '_blank' || a.download) return;
      const url = new URL(a.href, window.location.href);
      if (url.origin !== window.location.origin || url.pathname === window.location.pathname || !isDirty()) return;
      e.preventDefault();
      e.stopPropagation();
      void (async () => {
        const leave = (await save()) || (await ask({ question: 'Your latest changes could not be saved. Leave anyway and lose them?', confirmLabel: 'Leave and lose them', cancelLabel: 'Stay' }));
        if (leave) navigate(url.pathname + url.search + url.hash);
      })();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [ask, isDirty, navigate, save]);
  return dialog;
}
