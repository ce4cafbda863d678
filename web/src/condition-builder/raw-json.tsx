import { checkRule } from '@tripline/shared';
import { useEffect, useState } from 'react';

/** JSON text editor that commits only parseable, allow-listed logic, and says why otherwise. */
export function RawJson({ value, onChange, label, allowEmpty }: { value: unknown; onChange: (v: unknown) => void; label: string; allowEmpty?: boolean }) {
  const pretty = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
  const [text, setText] = useState(() => pretty(value));
  const [error, setError] = useState<string>();
  useEffect(() => {
    setText((t) => {
      try {
        if (JSON.stringify(JSON.parse(t)) === JSON.stringify(value)) return t;
      } catch {
        /* mid-edit text: replaced by the current value */
      }
      return pretty(value);
    });
  }, [value]);
  return (
    <div className="cb-json">
      <textarea
        aria-label={label}
        className="json-input"
        spellCheck={false}
        rows={Math.min(16, Math.max(3, text.split('\n').length))}
        value={text}
        aria-invalid={Boolean(error) || undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '' && allowEmpty) {
            setError(undefined);
            onChange(undefined);
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(e.target.value);
          } catch (err) {
            setError(`Not valid JSON yet: ${err instanceof Error ? err.message : ''}`);
            return;
          }
          const problems = checkRule(parsed);
          if (problems.length) {
            setError(problems.map((p) => p.message).join('; '));
            return;
          }
          setError(undefined);
          onChange(parsed);
        }}
      />
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
