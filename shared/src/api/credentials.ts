import { z } from 'zod';
import { identifier } from '../nodes/fields.ts';

/**
 * The origin (scheme, host, port) of an absolute http(s) URL, as the WHATWG URL parser
 * spells it (lower-case host, default port dropped); undefined when it is not one.
 */
export function urlOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The origin of a URL template when no {{template}} can change it (the scheme and authority
 * are plain text), else undefined: then only the rendered URL can be checked, at run time.
 */
export function fixedOrigin(template: string): string | undefined {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(template)?.[0];
  if (authority === undefined || authority.includes('{{') || authority.includes('}}')) return undefined;
  // What follows must not be able to extend the authority either ("https://a.com{{x}}" was caught above).
  return urlOrigin(authority);
}

/** Whether a credential that may go to `allowed` may be sent to `url`. */
export function originAllowed(url: string, allowed: readonly string[]): boolean {
  const origin = urlOrigin(url);
  return origin !== undefined && allowed.some((a) => urlOrigin(a) === origin);
}

const ORIGIN_HELP = 'an origin such as "https://api.example.com" or "http://10.0.0.5:8080": scheme, host and optional port, no path';

/** An origin a credential may be sent to, normalised (lower case, no default port, no trailing slash). */
export const credentialOriginSchema = z
  .string()
  .trim()
  .max(300)
  .transform((value, ctx) => {
    let u: URL | undefined;
    try {
      u = new URL(value);
    } catch {
      /* reported below */
    }
    const bare = u && (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
    if (!u || !bare || /[/?#]./.test(value.replace(/^[a-z]+:\/\//i, ''))) {
      ctx.addIssue({ code: 'custom', message: ORIGIN_HELP });
      return z.NEVER;
    }
    return u.origin;
  });

/** A stored credential as the API shows it: never the value. */
export const credentialSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  /** The last four characters of a long value, e.g. "…k3Qz", for those who may write credentials; "…" otherwise. */
  hint: z.string(),
  /** Where the value may be sent: HTTP request steps to any other origin are refused at publish and at run time. */
  allowedOrigins: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
});
export type Credential = z.infer<typeof credentialSchema>;

/**
 * Creates a credential, or replaces one with the same name. The value is required every
 * time, so the origins it may go to never change without it being entered again.
 */
export const credentialInputSchema = z.object({
  name: identifier,
  value: z.string().min(1, 'enter the value, e.g. "Bearer sk_live_…"').max(8000),
  description: z.string().max(500).optional(),
  allowedOrigins: z
    .array(credentialOriginSchema)
    .min(1, 'name at least one origin the value may be sent to, e.g. "https://api.example.com"')
    .max(20)
    .transform((origins) => [...new Set(origins)]),
});
export type CredentialInput = z.input<typeof credentialInputSchema>;
