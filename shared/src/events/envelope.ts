import { z } from 'zod';
import { eventTypes } from './catalog.ts';

/** 128 at most: derived ids append to it (`<id>~tier:gold`) and must stay unique within 200. */
export const eventIdSchema = z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

/** An event as a client sends it: id and occurredAt default to new / now. */
export const eventInputSchema = z.object({
  id: eventIdSchema.optional(),
  type: z.string().min(1).max(100),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  data: z.record(z.string(), z.unknown()),
});
export type EventInput = z.infer<typeof eventInputSchema>;

/** The stored envelope: what workflows, conditions and receivers see. */
export const eventEnvelopeSchema = z.object({
  id: z.string(),
  type: z.enum(eventTypes as [string, ...string[]]),
  occurredAt: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  causedBy: z.string().nullable(),
  /** Ids of the events that led here, oldest first: a derived event's causation chain. */
  chain: z.array(z.string()),
  subject: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;
