import type { z } from 'zod';

/** Where an event comes from: sent in by a store, computed by Tripline, or about Tripline itself. */
export type EventOrigin = 'raw' | 'derived' | 'system';

export interface EventDefinition<S extends z.ZodType = z.ZodType, T extends string = string> {
  type: T;
  origin: EventOrigin;
  description: string;
  /** Schema of the envelope's `data`. */
  schema: S;
  /** A realistic payload (`data`), validated against `schema` by the unit tests. */
  example: z.infer<S>;
  /** The id of the entity the event is about, used to filter runs by subject. */
  subject: (data: z.infer<S>) => string | undefined;
  /**
   * What kind of thing the subject is. Two events are about the same subject only when both
   * kind and id agree: a SKU and a customer id may be the same string.
   */
  subjectKind: SubjectKind;
}

export type SubjectKind = 'customer' | 'sku' | 'campaign' | 'endpoint' | 'workflow' | 'source';

export function defineEvent<S extends z.ZodType, const T extends string>(def: EventDefinition<S, T>): EventDefinition<S, T> {
  return def;
}
