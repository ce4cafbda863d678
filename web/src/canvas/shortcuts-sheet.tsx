import { useEffect, useRef, useState } from 'react';

/** Every editor shortcut (use-shortcuts.ts handles them), as the "?" sheet lists them. */
export const EDITOR_SHORTCUTS: [keys: string, what: string][] = [
  ['Ctrl/⌘ + S', 'Save the draft now'],
  ['Ctrl/⌘ + Z', 'Undo'],
  ['Ctrl/⌘ + Shift + Z, Ctrl/⌘ + Y', 'Redo'],
  ['Ctrl/⌘ + C, Ctrl/⌘ + V', 'Copy and paste the selected steps'],
  ['Delete, Backspace', 'Remove the selected steps or connections'],
  ['L', 'Tidy the layout'],
  ['F', 'Zoom to fit'],
  ['Shift / Ctrl / ⌘ + click', 'Select several steps'],
  ['Ctrl + wheel, pinch', 'Zoom; the wheel alone scrolls'],
  ['?', 'Show this list'],
];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** "?" (outside a field) opens the list of shortcuts, so they are not only in tooltips. Escape closes it. */
export function ShortcutsSheet() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) dialog.showModal();
  }, [open]);
  if (!open) return null;
  return (
    <dialog ref={ref} className="shortcuts-sheet" aria-label="Keyboard shortcuts" onClose={() => setOpen(false)}>
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {EDITOR_SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" autoFocus onClick={() => ref.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
