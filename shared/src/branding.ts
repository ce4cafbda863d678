import { z } from 'zod';

/** The largest logo stored, decoded: a header image, not a photo (it is sent with every portal page). */
export const LOGO_MAX_BYTES = 64 * 1024;

/** First bytes of each image type a logo may be; SVG is left out (it can carry script). */
const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  png: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  gif: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38,
  webp: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50,
};

const DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/]+={0,2})$/;

/** Why a logo data URL is refused, or undefined when it is a PNG, JPEG, GIF or WebP image within the size. */
export function logoProblem(value: string): string | undefined {
  const m = DATA_URL.exec(value);
  if (!m) return 'a PNG, JPEG, GIF or WebP image (as a base64 data: URL)';
  const bytes = Uint8Array.from(atob(m[2]!), (c) => c.charCodeAt(0));
  if (bytes.length > LOGO_MAX_BYTES) return `at most ${LOGO_MAX_BYTES / 1024} KB; this image is ${Math.ceil(bytes.length / 1024)} KB`;
  // the bytes must be the image the type says: a renamed file would show as a broken image
  if (!SIGNATURES[m[1]!]!(bytes)) return `not a ${m[1]!.toUpperCase()} image: its contents do not match its type`;
  return undefined;
}

/**
 * The store's name and logo, shown in the partner portal's header so a partner knows whose
 * portal this is. The logo is stored in the database (a small uploaded image, as a data: URL):
 * the portal's Content-Security-Policy loads images only from itself and data: URLs, so a
 * logo on another site would not show.
 */
export const portalBrandingSchema = z
  .object({
    storeName: z.string().trim().max(80, 'at most 80 characters').nullable().default(null),
    logo: z
      .string()
      // a bound on what is decoded at all; the exact size is said below, in KB of image
      .max(1024 * 1024, `at most ${LOGO_MAX_BYTES / 1024} KB`)
      .superRefine((v, ctx) => {
        const problem = logoProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .nullable()
      .default(null),
  })
  .default({ storeName: null, logo: null });
export type PortalBranding = z.infer<typeof portalBrandingSchema>;
