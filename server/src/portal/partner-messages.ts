import { HttpError } from '../http/errors.ts';

/** "… ; private and loopback targets are refused unless TRIPLINE_ALLOW_PRIVATE_TARGETS=1": how the store's admin lifts it, not the partner. */
const SERVER_HINT = /[;,]?\s*private and loopback targets are refused unless TRIPLINE_[A-Z_]+=\S+/g;
const ENV_NAME = /TRIPLINE_[A-Z_]+/g;

/** A message for a partner: the server's own knobs (environment variables) left out, what to do said instead. */
export function forPartner(message: string): string {
  const stripped = message.replace(SERVER_HINT, '').replace(ENV_NAME, 'a server setting');
  return /refus|points to this machine|private|loopback/i.test(message) && stripped !== message
    ? `${stripped}; Tripline only sends to public addresses: use your receiver's public https URL, or ask the store to allow this one`
    : stripped;
}

/**
 * Runs a portal write and rewords its refusal for the partner (message and each field's
 * detail): the store's admin reads the same refusal with the setting that lifts it.
 */
export async function asPartner<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw new HttpError(error.status, error.code, forPartner(error.message), error.details?.map((d) => ({ ...d, message: forPartner(d.message) })));
  }
}
