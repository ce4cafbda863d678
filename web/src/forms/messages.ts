/**
 * Validation messages for people. zod, the API and the graph checks speak in schema terms
 * ("Too big: expected number to be <=3650", "Invalid input: expected string, received
 * undefined", `validation_failed` with a path like `endpointId`); every form and the
 * inspector pass what they show through here, so each error reads once, in plain words,
 * beside its field.
 */

const number = (n: string) => Number(n).toLocaleString('en-US');

/** Units a field's value is counted in, for "at most 3,650 days" rather than "<=3650". */
export type Unit = { one: string; many: string };

const RULES: [RegExp, (m: RegExpMatchArray, unit?: Unit) => string][] = [
  [/^Invalid input: expected \w+, received (undefined|null)$/, () => 'required'],
  [/^Invalid input: expected (number|int), received NaN$/, () => 'enter a number'],
  [/^Invalid input: expected (number|int), received \w+$/, () => 'enter a number'],
  [/^Invalid input: expected string, received \w+$/, () => 'enter text'],
  [/^Invalid input: expected boolean, received \w+$/, () => 'choose yes or no'],
  [/^Invalid input: expected array, received \w+$/, () => 'add at least one value'],
  [/^Invalid option: expected one of (.+)$/, (m) => `choose one of ${m[1]!.replaceAll('"', '').split('|').join(', ')}`],
  [/^Too big: expected number to be <=\s*(-?[\d.]+)$/, (m, u) => `at most ${amount(m[1]!, u)}`],
  [/^Too big: expected number to be <\s*(-?[\d.]+)$/, (m, u) => `less than ${amount(m[1]!, u)}`],
  [/^Too small: expected number to be >=\s*(-?[\d.]+)$/, (m, u) => `at least ${amount(m[1]!, u)}`],
  [/^Too small: expected number to be >\s*(-?[\d.]+)$/, (m, u) => `more than ${amount(m[1]!, u)}`],
  [/^Too big: expected string to have <=\s*(\d+) characters?$/, (m) => `at most ${number(m[1]!)} characters`],
  [/^Too small: expected string to have >=\s*1 characters?$/, () => 'required'],
  [/^Too small: expected string to have >=\s*(\d+) characters?$/, (m) => `at least ${number(m[1]!)} characters`],
  [/^Too small: expected array to have >=\s*1 items?$/, () => 'add at least one'],
  [/^Too big: expected array to have <=\s*(\d+) items?$/, (m) => `at most ${number(m[1]!)} entries`],
  [/^Invalid input: expected int, received number$/, () => 'enter a whole number'],
  [/^Invalid (URL|url)$/, () => 'enter a full URL, like https://example.com/hook'],
  [/^Invalid (email address|email)$/, () => 'enter an email address, like name@example.com'],
  [/^Invalid ISO datetime$/, () => 'enter a date and time'],
  [/^Invalid string: must match pattern .*$/, () => 'is not in the expected format'],
  [/^Invalid input$/, () => 'is not valid'],
];

function amount(n: string, unit?: Unit): string {
  if (!unit) return number(n);
  return `${number(n)} ${Number(n) === 1 ? unit.one : unit.many}`;
}

/** One message in plain words (unknown messages pass through: ours are already written for people). */
export function plainMessage(message: string, unit?: Unit): string {
  const trimmed = message.trim();
  for (const [pattern, say] of RULES) {
    const m = trimmed.match(pattern);
    if (m) return say(m, unit);
  }
  return trimmed;
}

/** "retentionDays" → "retention days", "data.sku" → "sku", "endpointId" → "endpoint": a field as people call it. */
export function fieldName(path: string | undefined): string {
  if (!path) return '';
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).at(-1) ?? path;
  return last
    .replace(/Id$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

interface ErrorLike {
  code?: string;
  message: string;
  details?: { path?: string; message: string }[];
}

/**
 * An API error split for a form: messages by field (for inline display) and what is left
 * for the top of the form, with codes such as `validation_failed` never shown.
 */
export function formErrors(error: ErrorLike, fields: readonly string[], units: Record<string, Unit> = {}): { byField: Map<string, string>; general: string | undefined } {
  const byField = new Map<string, string>();
  const rest: string[] = [];
  for (const d of error.details ?? []) {
    const key = d.path?.split('.').find((p) => fields.includes(p));
    const text = plainMessage(d.message, key ? units[key] : undefined);
    if (key && !byField.has(key)) byField.set(key, text);
    else if (!key) rest.push(d.path ? `${fieldName(d.path)}: ${text}` : text);
  }
  let general: string | undefined = rest[0];
  if (!general && byField.size === 0) general = plainApiMessage(error.message);
  return { byField, general };
}

/** "body is invalid: url: Invalid URL" → "url: enter a full URL …"; other messages unchanged. */
export function plainApiMessage(message: string): string {
  const m = message.match(/^(?:body|query) is invalid: (.*)$/);
  if (!m) return message;
  return m[1]!
    .split('; ')
    .map((part) => {
      const [path, ...text] = part.split(': ');
      return text.length ? `${fieldName(path)}: ${plainMessage(text.join(': '))}` : plainMessage(part);
    })
    .join('; ');
}

/** A graph problem in plain words, without the step's id: "endpoint is required", "“sku is …” has no value…". */
export function problemMessage(p: { message: string; field?: string }): string {
  const message = plainMessage(p.message);
  const field = fieldName(p.field);
  if (!field || ['rule', 'filter'].includes(field)) return message;
  return message === 'required' ? `${field} is required` : `${field}: ${message}`;
}
