import { hasForbiddenSegment } from '@tripline/shared';

const PLACEHOLDER = /\{\{\s*([\w.[\]-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([\w.[\]-]+)\s*\}\}$/;

/** Reads a dotted path from own properties only; prototype paths read as undefined. */
export function readPath(scope: unknown, path: string): unknown {
  if (hasForbiddenSegment(path)) return undefined;
  let value: unknown = scope;
  for (const segment of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Renders "{{data.customerId}}"-style templates. A template that is exactly one
 * placeholder keeps the value's type (a number stays a number); otherwise values are
 * interpolated as text, objects as JSON, missing values as empty.
 */
export function renderTemplate(template: string, scope: unknown): unknown {
  const whole = WHOLE.exec(template);
  if (whole) return readPath(scope, whole[1]!);
  return template.replace(PLACEHOLDER, (_m, path: string) => {
    const value = readPath(scope, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/**
 * A template rendered as text, always a string (a whole-placeholder template too), each
 * value passed through `escape` first: message bodies, where `{{data.note}}` in an HTML
 * email must not become markup.
 */
export function renderText(template: string, scope: unknown, escape: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => {
    const value = readPath(scope, path);
    if (value === undefined || value === null) return '';
    return escape(typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
