import { useCallback, useState } from 'react';

const key = (name: string) => `tripline.editor.${name}.open`;

/**
 * Whether one of the editor's side panels is shown; remembered in this browser, so a person
 * who reads big workflows with both panels closed finds them closed next time.
 */
export function usePanelToggle(name: string): [boolean, () => void] {
  const [open, setOpen] = useState(() => {
    try {
      return localStorage.getItem(key(name)) !== 'false';
    } catch {
      return true;
    }
  });
  const toggle = useCallback(() => {
    setOpen((was) => {
      try {
        localStorage.setItem(key(name), String(!was));
      } catch {
        /* storage disabled: the choice lasts for this page only */
      }
      return !was;
    });
  }, [name]);
  return [open, toggle];
}
