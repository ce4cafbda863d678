/**
 * How much of one message or one step's input or output a run's history stores (issue 23,
 * item 6): an error of megabytes, or a 1 MB response kept as a step's output, would otherwise
 * be written whole into rows every viewer's page loads. What is cut says so, with its size.
 * Sizes are in UTF-16 code units (JavaScript string length), which is what is at hand
 * without encoding everything twice; for the ASCII that JSON mostly is, that is bytes.
 */

export const STORED_VALUE_LIMIT = 16 * 1024;

/** A message as stored: whole up to the limit, else its start and how long it was. */
export function capText(text: string | null): string | null {
  if (text === null || text.length <= STORED_VALUE_LIMIT) return text;
  return `${text.slice(0, STORED_VALUE_LIMIT)} … [cut: ${text.length} characters in all, the first ${STORED_VALUE_LIMIT} kept]`;
}

/**
 * A JSON text as stored: whole up to the limit, else a small object that says it was cut,
 * how long it was and how it began (as text: a cut JSON document would not parse).
 */
export function capJsonText(json: string): string {
  if (json.length <= STORED_VALUE_LIMIT) return json;
  return JSON.stringify({ cut: true, characters: json.length, start: json.slice(0, STORED_VALUE_LIMIT - 200) });
}
