import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook targets. A delivery must never reach the machine Tripline runs
 * on, its private network or a cloud metadata service, whatever the URL says and whatever
 * its DNS answers at the moment of connecting (DNS rebinding). So the same classifier runs
 * three times: on the URL when an endpoint is saved, on the addresses the name resolves to
 * at save time, and in the `lookup` hook of every connection (`guardedLookup`).
 */

/** Why an address is refused; `public` means it may be connected to. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'carrier_nat'
  | 'unique_local'
  | 'unspecified'
  | 'broadcast'
  | 'multicast'
  | 'reserved'
  | 'invalid';

/** Classes that TRIPLINE_ALLOW_PRIVATE_TARGETS=1 lets through (development and tests). */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link_local', 'carrier_nat', 'unique_local']);

const V4_CLASS: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link_local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier_nat',
  private: 'private',
};

/** Classifies one IP address (v4 or v6, any spelling ipaddr.js parses). Pure. */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `parse` accepts the IPv4 forms inet_aton does (127.1, 0x7f000001, 2130706433), the
    // same forms a resolver or a socket would accept.
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid';
  }
  if (parsed.kind() === 'ipv4') return V4_CLASS[parsed.range()] ?? 'reserved';
  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const inner = classifyAddress(embedded.toString());
    return inner;
  }
  switch (v6.range()) {
    case 'unicast':
      return 'public';
    case 'unspecified':
      return 'unspecified';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'link_local';
    case 'uniqueLocal':
      return 'unique_local';
    case 'multicast':
      return 'multicast';
    default:
      // teredo, discard, benchmarking, documentation, orchid …: nothing a webhook needs.
      return 'reserved';
  }
}

/**
 * IPv6 forms that carry an IPv4 address a host or a translator will end up connecting to:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible
 * (::a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002:AABB:CCDD::).
 */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const low = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return low(p[6]!, p[7]!);
  if (range === '6to4') return low(p[1]!, p[2]!);
  // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 are handled as themselves.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1)) return low(p[6]!, p[7]!);
  return undefined;
}

export function isAllowedClass(cls: AddressClass, allowPrivate: boolean): boolean {
  return cls === 'public' || (allowPrivate && PRIVATE_CLASSES.has(cls));
}

export class SsrfError extends Error {
  readonly code = 'ESSRF';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

const LOCAL_NAMES = /(^|\.)(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)\.?$/i;

export interface UrlCheck {
  ok: boolean;
  reason?: string;
  /** The host as the URL parser normalised it (IPv4 numbers in dotted form, IPv6 without brackets). */
  host?: string;
}

/**
 * Checks a target URL without touching the network: scheme http(s), no credentials, and a
 * host that is not a refused literal address in any spelling. The WHATWG URL parser turns
 * 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 into 127.0.0.1 before we classify it.
 */
export function checkTargetUrl(raw: string, allowPrivate: boolean): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials; use custom headers or an auth method' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { ok: false, reason: 'has no host' };
  if (net.isIP(host)) {
    const cls = classifyAddress(host);
    if (!isAllowedClass(cls, allowPrivate)) return { ok: false, host, reason: refusal(host, cls) };
    return { ok: true, host };
  }
  if (LOCAL_NAMES.test(host) && !allowPrivate) return { ok: false, host, reason: `points to this machine (${host}); ${ALLOW_HINT}` };
  return { ok: true, host };
}

const ALLOW_HINT = 'private and loopback targets are refused unless TRIPLINE_ALLOW_PRIVATE_TARGETS=1';

export function refusal(address: string, cls: AddressClass): string {
  const what: Record<AddressClass, string> = {
    public: 'a public address',
    loopback: 'a loopback address',
    private: 'a private network address',
    link_local: 'a link-local address (cloud metadata lives there)',
    carrier_nat: 'a carrier-grade NAT address',
    unique_local: 'a unique-local IPv6 address',
    unspecified: 'the unspecified address',
    broadcast: 'the broadcast address',
    multicast: 'a multicast address',
    reserved: 'a reserved address',
    invalid: 'not a valid address',
  };
  const hint = PRIVATE_CLASSES.has(cls) ? `; ${ALLOW_HINT}` : '';
  return `resolves to ${address}, ${what[cls]}${hint}`;
}

type LookupAll = (hostname: string, options: { all: true; family?: number }) => Promise<LookupAddress[]>;
const lookupAll: LookupAll = (hostname, options) => dns.promises.lookup(hostname, { ...options, all: true, verbatim: true });

/** Save-time check: the URL, then every address the host resolves to now. */
export async function checkTargetUrlResolved(raw: string, allowPrivate: boolean, resolve: LookupAll = lookupAll): Promise<UrlCheck> {
  const check = checkTargetUrl(raw, allowPrivate);
  if (!check.ok || !check.host || net.isIP(check.host)) return check;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(check.host, { all: true });
  } catch {
    return { ok: false, host: check.host, reason: `host "${check.host}" does not resolve` };
  }
  for (const a of addresses) {
    const cls = classifyAddress(a.address);
    if (!isAllowedClass(cls, allowPrivate)) return { ok: false, host: check.host, reason: refusal(a.address, cls) };
  }
  return check;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request / tls.connect that refuses a name whose answer holds a
 * refused address: the check happens on the very addresses the socket will use, so a
 * name that resolved to a public address at save time and to 127.0.0.1 now is caught.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '');
      for (const a of addresses) {
        const cls = classifyAddress(a.address);
        if (!isAllowedClass(cls, allowPrivate)) return callback(new SsrfError(`${hostname} ${refusal(a.address, cls)}`), '');
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
