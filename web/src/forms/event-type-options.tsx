import { eventCatalog, eventFamilies, eventNames, eventTitle, isEventType, type EventType } from '@tripline/shared';

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

const familyRank = (t: EventType) => eventFamilies.indexOf(eventNames[t].family);

/**
 * `<optgroup>`s of event types as the catalog groups them, each named as people say it
 * ("Orders → Order paid"), with the machine name as the value; unknown types are left out.
 */
export function EventTypeOptions({ types }: { types: readonly string[] }) {
  return (
    <>
      {EVENT_ORIGINS.map(({ origin, label }) => {
        // stable sort: within a family, the catalog's order
        const inGroup = types.filter((t): t is EventType => isEventType(t) && eventCatalog[t].origin === origin).sort((a, b) => familyRank(a) - familyRank(b));
        return inGroup.length === 0 ? null : (
          <optgroup key={origin} label={label}>
            {inGroup.map((t) => (
              <option key={t} value={t} title={t}>
                {eventTitle(t)}
              </option>
            ))}
          </optgroup>
        );
      })}
    </>
  );
}
