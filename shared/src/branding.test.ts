import { describe, expect, it } from 'vitest';
import { LOGO_MAX_BYTES, logoProblem, portalBrandingSchema } from './branding.ts';

const png = (size: number) => {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
};

describe('the portal logo', () => {
  it('takes a small PNG', () => {
    expect(logoProblem(png(200))).toBeUndefined();
    expect(portalBrandingSchema.parse({ storeName: ' Northwind ', logo: png(200) })).toEqual({ storeName: 'Northwind', logo: png(200) });
  });
  it('refuses an image over the size, with its size', () => {
    expect(logoProblem(png(LOGO_MAX_BYTES + 2048))).toBe('at most 64 KB; this image is 66 KB');
  });
  it('refuses a file whose contents are not the type it claims, SVG, and links', () => {
    expect(logoProblem(`data:image/png;base64,${Buffer.from('GIF89a-not-a-png').toString('base64')}`)).toBe('not a PNG image: its contents do not match its type');
    expect(logoProblem(`data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`)).toMatch(/^a PNG, JPEG, GIF or WebP image/);
    expect(logoProblem('https://shop.example/logo.png')).toMatch(/^a PNG, JPEG, GIF or WebP image/);
  });
});
