import { eventCatalog, isEventType } from '@tripline/shared';

/** The catalog's three families, in its order and words: every event-type picker groups by them. */
export const EVENT_ORIGINS = [
  { origin: 'raw', label: 'Sent in by your store and tools' },
  { origin: 'derived', label: 'Computed by Tripline' },
  { origin: 'system', label: 'About Tripline itself' },
] as const;

/** Whether a list of options is event types (so a generic enum select can group them). */
export function areEventTypes(options: readonly unknown[]): options is string[] {
  return options.length > 0 && options.every((o) => typeof o === 'string' && isEventType(o));
}

/** `<optgroup>`s of event types as the catalog groups them; unknown types are left out. */
export function EventTypeOptions({ types }: { types: readonly string[] }) {
  return (
    <>
      {EVENT_ORIGINS.map(({ origin, label }) => {
        const inGroup = types.filter((t) => isEventType(t) && eventCatalog[t].origin === origin);
        return inGroup.length === 0 ? null : (
          <optgroup key={origin} label={label}>
            {inGroup.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </optgroup>
        );
      })}
    </>
  );
}
