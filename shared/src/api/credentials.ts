import { z } from 'zod';
import { identifier } from '../nodes/fields.ts';

/** A stored credential as the API shows it: never the value, only its last characters. */
export const credentialSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  /** The last four characters of the value, e.g. "…k3Qz". */
  hint: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
});
export type Credential = z.infer<typeof credentialSchema>;

/** Creates a credential, or replaces the value of one with the same name. */
export const credentialInputSchema = z.object({
  name: identifier,
  value: z.string().min(1, 'enter the value, e.g. "Bearer sk_live_…"').max(8000),
  description: z.string().max(500).optional(),
});
export type CredentialInput = z.infer<typeof credentialInputSchema>;
