import { z } from 'zod';

/** Every error response: a stable code to branch on, a sentence for people, details for fields. */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z
      .array(
        z.object({
          path: z.string().optional(),
          nodeId: z.string().optional(),
          edgeId: z.string().optional(),
          message: z.string(),
        }),
      )
      .optional(),
    requestId: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
export type ApiErrorDetail = NonNullable<ApiError['error']['details']>[number];
