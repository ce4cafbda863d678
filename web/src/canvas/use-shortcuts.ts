import { useEffect } from 'react';

export interface ShortcutActions {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  remove: () => void;
  save: () => void;
  layout: () => void;
  fit: () => void;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Editor shortcuts: Ctrl/⌘+Z undo, Ctrl+Shift+Z or Ctrl+Y redo, Ctrl+C / Ctrl+V copy and
 * paste steps, Delete / Backspace remove the selection, Ctrl+S save, L tidy the layout,
 * F zoom to fit. Ignored while typing in a field (except save), so forms keep their own undo.
 */
export function useShortcuts(actions: ShortcutActions, enabled: boolean) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 's') {
        e.preventDefault();
        actions.save();
        return;
      }
      if (!enabled || isTyping(e.target) || e.altKey) return;
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) actions.redo();
        else actions.undo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        actions.redo();
      } else if (mod && key === 'c') {
        if (window.getSelection()?.toString()) return;
        actions.copy();
      } else if (mod && key === 'v') {
        e.preventDefault();
        actions.paste();
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        e.preventDefault();
        actions.remove();
      } else if (!mod && !e.shiftKey && key === 'l') {
        actions.layout();
      } else if (!mod && !e.shiftKey && key === 'f') {
        actions.fit();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [actions, enabled]);
}
