import { useEffect } from 'react';
import { useNavigate } from 'react-router';

/**
 * Leaving with unsaved changes: a reload or closed tab gets the browser's prompt; a link
 * inside the app saves first, and asks before discarding if the save fails. (The app uses a
 * plain BrowserRouter, whose navigation cannot be blocked, so links are intercepted here.)
 */
export function useUnsavedGuard(isDirty: () => boolean, save: () => Promise<boolean>) {
  const navigate = useNavigate();
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
      void save().then((ok) => {
        if (ok || window.confirm('Your latest changes could not be saved. Leave anyway and lose them?')) navigate(url.pathname + url.search + url.hash);
      });
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [isDirty, navigate, save]);
}
