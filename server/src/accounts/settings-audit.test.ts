import { describe, expect, it } from 'vitest';
import { settingForAudit } from './settings-audit.ts';

describe('settings as the audit log keeps them', () => {
  it('names an uploaded logo by type, size and hash instead of carrying the image', () => {
    const logo = `data:image/png;base64,${Buffer.alloc(3000, 7).toString('base64')}`;
    const kept = settingForAudit('portalBranding', { storeName: 'Northwind', logo }) as { storeName: string; logo: string };
    expect(kept.storeName).toBe('Northwind');
    expect(kept.logo).toMatch(/^image\/png, 3000 bytes, sha256 [0-9a-f]{16}…$/);
    expect(JSON.stringify(kept).length).toBeLessThan(200);
  });
  it('keeps every other setting, and a branding without a logo, as it is', () => {
    expect(settingForAudit('portalBranding', { storeName: null, logo: null })).toEqual({ storeName: null, logo: null });
    expect(settingForAudit('retentionDays', 30)).toBe(30);
  });
});
