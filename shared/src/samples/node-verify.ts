/**
 * The one Node sample for receiving Tripline's webhooks: the event catalog and the partner
 * portal render it from here (and docs/receiving-webhooks.md quotes it, checked by a unit
 * test), so the path, port and install line are the same wherever a developer copies it.
 *
 * It is an ES module saved as `.mjs`: Node runs a .mjs file as a module whatever the
 * project's package.json says, so it also works in a CommonJS project on Node 20. A verify
 * failure logs and answers the library's own reason ("Message timestamp too old" is a clock
 * or a replay, "No matching signature found" a wrong secret or a changed body).
 */
export const nodeVerifySample = {
  fileName: 'tripline-webhooks.mjs',
  install: 'npm install standardwebhooks express',
  run: 'TRIPLINE_WEBHOOK_SECRET=whsec_… node tripline-webhooks.mjs',
  path: '/webhooks/tripline',
  port: 4000,
  /** Why .mjs, said next to the sample. */
  moduleNote:
    'Save it as tripline-webhooks.mjs: the .mjs ending makes Node (18 or later) run it as an ES module, also in a CommonJS project (a package.json without "type": "module"). To keep a .js name, add "type": "module" to your package.json.',
  code: `// tripline-webhooks.mjs (.mjs: an ES module, also in a CommonJS project)
// npm install standardwebhooks express
// TRIPLINE_WEBHOOK_SECRET=whsec_… node tripline-webhooks.mjs
import express from 'express';
import { Webhook } from 'standardwebhooks';

// The endpoint's signing secret (whsec_…), shown once when the endpoint was created.
const webhook = new Webhook(process.env.TRIPLINE_WEBHOOK_SECRET);
const app = express();
// webhook-ids already handled; in production keep them in your database (a unique key).
const seen = new Set();

// Verify against the raw body: parsing and re-serialising JSON would change the bytes.
app.post('/webhooks/tripline', express.raw({ type: 'application/json' }), (req, res) => {
  let message;
  try {
    // Checks webhook-id, webhook-timestamp (5 min tolerance) and webhook-signature.
    message = webhook.verify(req.body, req.headers);
  } catch (err) {
    // The library's reason: "Message timestamp too old" (a clock off, or a replayed
    // request) is not "No matching signature found" (a wrong secret, or a changed body).
    console.warn('refused a webhook:', err.message);
    return res.status(400).send(err.message);
  }
  // The webhook-id header is the same on every retry and replay: use it to ignore duplicates.
  const id = req.headers['webhook-id'];
  if (seen.has(id)) return res.status(204).end();
  seen.add(id);
  console.log('received', id, message.type, JSON.stringify(message.data));
  res.status(204).end();
});

const port = Number(process.env.PORT ?? 4000);
app.listen(port, () => console.log(\`listening on http://localhost:\${port}/webhooks/tripline\`));
`,
} as const;
