import { autocompletion, closeBrackets, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { Variable } from '../canvas/variables.ts';
import type { WidgetProps } from './schema-form.tsx';

/** `input.` paths for the completion list: what the code step's `input` holds at this step. */
function inputCompletions(paths: readonly Variable[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/input(?:\.[\w$]*)*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return {
      from: word.from,
      options: paths.map((v) => ({ label: v.path, type: v.type === 'object' ? 'namespace' : 'property', detail: v.type, info: v.description ?? v.source })),
      validFor: /^input(?:\.[\w$]*)*$/,
    };
  };
}

/**
 * The code step's editor (format "code"): CodeMirror 6 with line numbers (the numbers
 * compile and run-time errors name), JavaScript highlighting and `input.` completion from
 * the trigger's event and the steps before. Tab is left to move focus, as in every form.
 */
export function CodeEditor({ id, value, onChange, invalid, describedBy, completions }: WidgetProps & { completions: readonly Variable[] }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, completions });
  latest.current = { onChange, completions };
  const text = typeof value === 'string' ? value : '';

  useEffect(() => {
    const state = EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        syntaxHighlighting(defaultHighlightStyle),
        javascript(),
        autocompletion({ override: [(c) => inputCompletions(latest.current.completions)(c)], activateOnTyping: true }),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Code', ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          const next = u.state.doc.toString();
          latest.current.onChange(next === '' ? undefined : next);
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    return () => {
      view.current?.destroy();
      view.current = null;
    };
    // one editor per field; outside changes arrive through the effect below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // follow outside changes (undo in the canvas, a reload) without moving the caret on our own edits
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== text) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, [text]);

  return <div id={id} ref={host} className={`code-editor${invalid ? ' invalid' : ''}`} data-testid="code-editor" />;
}
