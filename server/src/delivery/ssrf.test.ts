import { describe, expect, it } from 'vitest';
import { checkTargetUrl, checkTargetUrlResolved, classifyAddress, guardedLookup, isAllowedClass } from './ssrf.ts';

describe('classifyAddress', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['169.254.0.1', 'link_local'],
    ['100.64.0.1', 'carrier_nat'],
    ['100.127.255.255', 'carrier_nat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['93.184.216.34', 'public'],
    // IPv4 spellings a resolver accepts
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    // IPv6
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link_local'],
    ['2002:808:808::1', 'public'],
    ['2001::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['not an ip', 'invalid'],
    ['', 'invalid'],
  ];
  it.each(cases)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('lets private classes through only when private targets are allowed', () => {
    for (const cls of ['loopback', 'private', 'link_local', 'carrier_nat', 'unique_local'] as const) {
      expect(isAllowedClass(cls, false)).toBe(false);
      expect(isAllowedClass(cls, true)).toBe(true);
    }
    for (const cls of ['unspecified', 'broadcast', 'multicast', 'reserved', 'invalid'] as const) {
      expect(isAllowedClass(cls, true)).toBe(false);
    }
    expect(isAllowedClass('public', false)).toBe(true);
  });
});

describe('checkTargetUrl', () => {
  const refused = [
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0177.0.0.1/hook',
    'http://0.0.0.0/hook',
    'http://0/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:169.254.169.254]/latest/meta-data',
    'http://169.254.169.254/latest/meta-data',
    'http://[fd00::1]/',
    'http://10.1.2.3:8080/',
    'http://192.168.0.10/',
    'http://172.20.0.1/',
    'http://100.64.1.1/',
    'http://localhost/hook',
    'http://LOCALHOST./hook',
    'http://app.localhost/hook',
    'https://224.0.0.1/',
    'http://255.255.255.255/',
  ];
  it.each(refused)('refuses %s', (url) => {
    const result = checkTargetUrl(url, false);
    expect(result.ok).toBe(false);
    expect(result.reason).toBeTruthy();
  });

  it('explains how to allow a loopback target', () => {
    expect(checkTargetUrl('http://127.0.0.1/', false).reason).toMatch(/TRIPLINE_ALLOW_PRIVATE_TARGETS=1/);
  });

  it('accepts loopback and private targets when allowed, never the unspecified or multicast ones', () => {
    expect(checkTargetUrl('http://127.0.0.1:3000/hook', true).ok).toBe(true);
    expect(checkTargetUrl('http://localhost:3000/hook', true).ok).toBe(true);
    expect(checkTargetUrl('http://10.0.0.5/hook', true).ok).toBe(true);
    expect(checkTargetUrl('http://0.0.0.0/hook', true).ok).toBe(false);
    expect(checkTargetUrl('http://224.0.0.1/hook', true).ok).toBe(false);
  });

  it('accepts public hosts and addresses', () => {
    expect(checkTargetUrl('https://desk.example.com/hooks/tripline', false)).toEqual({ ok: true, host: 'desk.example.com' });
    expect(checkTargetUrl('http://8.8.8.8/', false).ok).toBe(true);
    expect(checkTargetUrl('https://[2606:4700:4700::1111]/', false).ok).toBe(true);
  });

  it('refuses other schemes, credentials and garbage', () => {
    expect(checkTargetUrl('ftp://example.com/', false).reason).toMatch(/http or https/);
    expect(checkTargetUrl('file:///etc/passwd', false).ok).toBe(false);
    expect(checkTargetUrl('gopher://example.com/', false).ok).toBe(false);
    expect(checkTargetUrl('https://user:pw@example.com/', false).reason).toMatch(/credentials/);
    expect(checkTargetUrl('not a url', false).ok).toBe(false);
  });
});

describe('checkTargetUrlResolved', () => {
  const resolver = (answers: Record<string, string[]>) => async (host: string) => {
    const list = answers[host];
    if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('refuses a name that resolves to a private or metadata address', async () => {
    const r = resolver({ 'internal.example.com': ['10.0.0.7'], 'meta.example.com': ['93.184.216.34', '169.254.169.254'] });
    expect((await checkTargetUrlResolved('https://internal.example.com/', false, r)).ok).toBe(false);
    const meta = await checkTargetUrlResolved('https://meta.example.com/', false, r);
    expect(meta.ok).toBe(false);
    expect(meta.reason).toMatch(/169\.254\.169\.254/);
  });

  it('accepts a name that resolves to public addresses only', async () => {
    const r = resolver({ 'desk.example.com': ['93.184.216.34', '2606:2800:220:1::1'] });
    expect((await checkTargetUrlResolved('https://desk.example.com/', false, r)).ok).toBe(true);
  });

  it('refuses a name that does not resolve', async () => {
    const result = await checkTargetUrlResolved('https://nowhere.invalid/', false, resolver({}));
    expect(result.reason).toMatch(/does not resolve/);
  });
});

describe('guardedLookup', () => {
  it('refuses localhost at connect time unless private targets are allowed', async () => {
    const lookup = (allow: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup(allow)('localhost', {}, (err, address) => resolve({ err, address })),
      );
    const refused = await lookup(false);
    expect(refused.err?.code).toBe('ESSRF');
    const allowed = await lookup(true);
    expect(allowed.err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(allowed.address);
  });
});
