/**
 * The Node-RED flows the bench runs beside Tripline: each the closest Node-RED equivalent of
 * the Tripline setup of its scenario. Node-RED answers the http-in request before doing
 * anything and keeps nothing durable.
 */

/** The same signing key Tripline's Standard Webhooks signatures use in form (whsec_ + base64). */
export const NODE_RED_SIGNING_KEY = Buffer.from('bench-node-red-secret-0123456789ab').toString('base64');

const tab = { id: 'tab1', type: 'tab', label: 'bench' };
const httpIn = (wires: string[]) => ({ id: 'in1', type: 'http in', z: 'tab1', url: '/events', method: 'post', upload: false, swaggerDoc: '', wires: [['res1', ...wires]] });
const answer202 = { id: 'res1', type: 'http response', z: 'tab1', statusCode: '202', headers: {}, wires: [] };
const httpRequest = (id: string, url: string) => ({
  id,
  type: 'http request',
  z: 'tab1',
  method: 'POST',
  ret: 'txt',
  paytoqs: 'ignore',
  url,
  tls: '',
  persist: true,
  proxy: '',
  insecureHTTPParser: false,
  authType: '',
  senderr: false,
  headers: [],
  wires: [[]],
});
const switchNode = (id: string, property: string, rule: { t: string; v: string; vt: string }, next: string) => ({
  id,
  type: 'switch',
  z: 'tab1',
  property,
  propertyType: 'msg',
  rules: [rule],
  checkall: 'true',
  repair: false,
  outputs: 1,
  wires: [[next]],
});

/**
 * A function node that signs the event as Standard Webhooks does (webhook-id, -timestamp,
 * `v1,` HMAC-SHA256 of `id.timestamp.body`), so Node-RED does the per-request work Tripline
 * and the floor do. `crypto` comes from the global context (startNodeRed's settings).
 */
const signNode = (id: string, next: string) => ({
  id,
  type: 'function',
  z: 'tab1',
  name: 'sign',
  func: [
    "const crypto = global.get('crypto');",
    'const body = JSON.stringify(msg.payload);',
    "const id = 'msg_' + crypto.randomUUID().replaceAll('-', '');",
    'const ts = String(Math.floor(Date.now() / 1000));',
    `const sig = crypto.createHmac('sha256', Buffer.from('${NODE_RED_SIGNING_KEY}', 'base64')).update(id + '.' + ts + '.' + body).digest('base64');`,
    "return { payload: body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': 'v1,' + sig } };",
  ].join('\n'),
  outputs: 1,
  timeout: 0,
  noerr: 0,
  initialize: '',
  finalize: '',
  libs: [],
  wires: [[next]],
});

/** The equivalent of the e2e workflow: http in (answers 202 at once) → switch (amount > 5) → http request. */
export function discountFlow(receiverUrl: string): unknown[] {
  return [tab, httpIn(['sw1']), answer202, switchNode('sw1', 'payload.data.amount', { t: 'gt', v: '5', vt: 'num' }, 'req1'), httpRequest('req1', receiverUrl)];
}

/**
 * The equivalent of the store mix's setup: every event is signed and POSTed to the
 * subscription's URL; an order.created above 50 is also signed and POSTed to the workflow's
 * (http in → switch on type → switch on total → sign → http request). Node-RED has no test
 * inbox and derives no stock threshold crossings: it does less than Tripline here.
 */
export function storeMixFlow(receiverUrl: string): unknown[] {
  return [
    tab,
    httpIn(['signSub', 'swType']),
    answer202,
    signNode('signSub', 'reqSub'),
    httpRequest('reqSub', `${receiverUrl}/nr-mix-sub`),
    switchNode('swType', 'payload.type', { t: 'eq', v: 'order.created', vt: 'str' }, 'swTotal'),
    switchNode('swTotal', 'payload.data.total', { t: 'gt', v: '50', vt: 'num' }, 'signWf'),
    signNode('signWf', 'reqWf'),
    httpRequest('reqWf', `${receiverUrl}/nr-mix-wf`),
  ];
}
