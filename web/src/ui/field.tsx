import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';

type ControlProps = { id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string };

/**
 * One form field: its label, the control, a hint, and its error beside it in plain words.
 * The control (an input, a select) gets the id, `aria-invalid` and `aria-describedby`, so a
 * screen reader reads the hint and the error with it.
 */
export function Field({ label, hint, error, id: given, className, children }: { label: ReactNode; hint?: ReactNode; error?: string; id?: string; className?: string; children: ReactElement<ControlProps> }) {
  const auto = useId();
  const id = given ?? children.props.id ?? auto;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children) ? cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described }) : children;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && (
        <span id={`${id}-hint`} className="field-hint muted small">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** The options of a select from a list of values, with an optional "any" first. */
export function Options({ values, any, label }: { values: readonly string[]; any?: string; label?: (value: string) => string }) {
  return (
    <>
      {any !== undefined && <option value="">{any}</option>}
      {values.map((v) => (
        <option key={v} value={v}>
          {label ? label(v) : v}
        </option>
      ))}
    </>
  );
}
