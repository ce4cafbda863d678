import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { frameAncestorsOf } from '../db/portal.ts';

/**
 * The portal page: the web UI's index.html at /portal/:linkId, with a Content-Security-Policy
 * whose frame-ancestors are the link's own (none unless the admin named origins), so the
 * page can be embedded in the store's site and nowhere else. The token never reaches the
 * server in the page request: it travels in the URL fragment (#token=…).
 */
export function portalPageRouter(ctx: AppContext): Router {
  const router = Router();
  const index = path.join(ctx.config.webDist, 'index.html');
  router.get(['/portal/:linkId', '/portal/:linkId/'], async (req, res) => {
    const ancestors = (await frameAncestorsOf(ctx.pool, String(req.params.linkId))) ?? [];
    const csp = String(res.getHeader('content-security-policy') ?? "default-src 'self'");
    const directive = `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`;
    res.setHeader('Content-Security-Policy', /frame-ancestors [^;]*/.test(csp) ? csp.replace(/frame-ancestors [^;]*/, directive) : `${csp};${directive}`);
    // CSP frame-ancestors is the rule; X-Frame-Options (SAMEORIGIN from helmet) would contradict it.
    if (ancestors.length) res.removeHeader('X-Frame-Options');
    else res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!fs.existsSync(index)) {
      return void res.status(503).type('text').send('The web UI is not built: run "npm run build -w web" (npm start does it for you).');
    }
    res.sendFile(index);
  });
  return router;
}
