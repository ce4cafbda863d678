import { isNodeType, nodeDefinitions } from '@tripline/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import { isNote, type FlowNode } from './flow-graph.ts';
import { useCanvas } from './store.ts';

const MAX_RESULTS = 8;

/** What a step is found by: its name, its type's name and its id ("Notify supplier", "Webhook", "webhook-3"). */
export function nodeSearchText(n: FlowNode): string {
  const kind = n.type && isNodeType(n.type) ? nodeDefinitions[n.type].displayName : n.type ?? '';
  return `${n.data.label ?? ''} ${kind} ${n.id} ${isNote(n) ? (n.data.text ?? '') : ''}`.toLowerCase();
}

/** Steps whose name, kind or id contain every word typed, in canvas order. */
export function findNodes(nodes: readonly FlowNode[], query: string): FlowNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return nodes.filter((n) => {
    const text = nodeSearchText(n);
    return words.every((w) => text.includes(w));
  });
}

/**
 * Find a step (Ctrl/⌘+F, or the Find button): type part of its name, kind or id, then Enter
 * or a click centres the canvas on it and selects it, so its settings open beside it.
 */
export function FindNode({ onFocus }: { onFocus: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const nodes = useCanvas((s) => s.nodes);
  const matches = useMemo(() => findNodes(nodes, query).slice(0, MAX_RESULTS), [nodes, query]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f') {
        // the browser's find cannot see steps drawn off screen: ours can
        e.preventDefault();
        setOpen(true);
        requestAnimationFrame(() => input.current?.select());
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const pick = (id: string) => {
    onFocus(id);
    setOpen(false);
    setQuery('');
  };

  if (!open) {
    return (
      <button type="button" className="canvas-tool" onClick={() => (setOpen(true), requestAnimationFrame(() => input.current?.focus()))} title="Find a step (Ctrl+F)">
        Find
      </button>
    );
  }
  return (
    <div className="find-node" role="search">
      <input
        ref={input}
        type="search"
        autoFocus
        aria-label="Find a step"
        placeholder="Find a step by name, kind or id…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && matches[0]) pick(matches[0].id);
          if (e.key === 'Escape') setOpen(false);
        }}
      />
      {query.trim() !== '' && (
        <ul aria-label="Matching steps">
          {matches.map((n) => (
            <li key={n.id}>
              <button type="button" className="link-button" onClick={() => pick(n.id)}>
                {n.data.label || (isNote(n) ? 'Note' : n.type && isNodeType(n.type) ? nodeDefinitions[n.type].displayName : n.id)} <span className="muted">{n.id}</span>
              </button>
            </li>
          ))}
          {matches.length === 0 && <li className="muted">No step matches “{query}”.</li>}
        </ul>
      )}
    </div>
  );
}
