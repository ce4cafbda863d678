import crypto from 'node:crypto';
import net from 'node:net';
import type { Request } from 'express';
import type { AppContext } from '../context.ts';
import { apiKeyAuthenticator } from '../auth/api-keys.ts';
import { parseCookies, type Authenticator } from '../auth/middleware.ts';
import { allowed } from '../auth/principal.ts';
import { sessionAuthenticator } from '../auth/sessions.ts';
import { HttpError } from '../http/errors.ts';
import { getSetting } from '../settings.ts';

/**
 * Who may scrape /metrics, stated explicitly: a bearer token (TRIPLINE_METRICS_TOKEN or
 * TRIPLINE_API_KEY), a person or API key whose role holds `metrics:read` (a signed-in admin,
 * an admin key made under API keys), or a client address in the `metricsAllowList` setting.
 * Nothing is trusted for being on loopback: a reverse proxy on the same host that sets no
 * X-Forwarded-For makes every visitor look local.
 *
 * The route is public (a scraper has no session), so it resolves the caller itself with the
 * same authenticators the API uses; a GET reads nothing secret, so no CSRF token is asked.
 */
export async function mayScrape(ctx: Pick<AppContext, 'config' | 'pool'>, req: Request, authenticators: Authenticator[] = []): Promise<boolean> {
  const header = req.headers.authorization;
  const token = header && /^bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (token) {
    for (const accepted of [ctx.config.metricsToken, ctx.config.apiKey]) {
      if (accepted && safeEqual(token, accepted)) return true;
    }
  }
  const cookies = parseCookies(req.headers.cookie);
  for (const auth of authenticators) {
    const principal = await auth(header, cookies);
    if (principal) {
      if (allowed(principal, 'metrics:read')) return true;
      break;
    }
  }
  const allowList = await getSetting(ctx.pool, 'metricsAllowList');
  return allowList.length > 0 && !!req.ip && toBlockList(allowList).check(normalise(req.ip), net.isIPv6(normalise(req.ip)) ? 'ipv6' : 'ipv4');
}

/** Express middleware form: 401 with how to get in. */
export function requireScrapeAccess(ctx: Pick<AppContext, 'config' | 'pool'>) {
  const authenticators = [apiKeyAuthenticator(ctx.pool), sessionAuthenticator(ctx.pool)];
  return async (req: Request, _res: unknown, next: (error?: unknown) => void) => {
    if (await mayScrape(ctx, req, authenticators)) return next();
    next(
      new HttpError(
        401,
        'unauthenticated',
        'metrics need a signed-in admin or an admin API key ("Authorization: Bearer <key>"), the metrics token, or the scraper\'s address in the allow-list under Settings → Metrics access',
      ),
    );
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** "::ffff:10.0.0.5" (an IPv4 client on a dual-stack socket) is matched as 10.0.0.5. */
function normalise(ip: string): string {
  return ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

function toBlockList(entries: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (!net.isIP(address)) continue;
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}
