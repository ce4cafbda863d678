import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestTripline } from '../support/tripline.ts';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** Set for HTTPS receivers that asked for a client certificate. */
  clientCert?: string;
}

export type Reply = (req: Received, res: http.ServerResponse) => void | Promise<void>;

/** A webhook receiver on 127.0.0.1 that records every request and answers via `reply`. */
export class Receiver {
  readonly requests: Received[] = [];
  inFlight = 0;
  maxInFlight = 0;
  reply: Reply = (_req, res) => void res.writeHead(200).end('ok');
  server: http.Server | https.Server | undefined;
  port = 0;

  constructor(private readonly tlsOptions?: https.ServerOptions) {}

  get url(): string {
    return `${this.tlsOptions ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const socket = req.socket as import('node:tls').TLSSocket;
        const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
        const received: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          clientCert: peer && peer.subject ? String(peer.subject.CN) : undefined,
        };
        this.requests.push(received);
        try {
          await this.reply(received, res);
        } finally {
          this.inFlight--;
        }
      });
    };
    this.server = this.tlsOptions ? https.createServer(this.tlsOptions, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Requests to a path (the part before any query). */
  to(path: string): Received[] {
    return this.requests.filter((r) => r.path.split('?')[0] === path);
  }
}

/** A port nothing listens on (taken then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function createEndpoint(t: TestTripline, body: Record<string, unknown>): Promise<{ id: string; secret: string } & Record<string, any>> {
  const res = await t.api('/api/v1/endpoints', { method: 'POST', json: body });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`create endpoint failed ${res.status}: ${text}`);
  return JSON.parse(text);
}

export async function sendEvent(t: TestTripline, event: Record<string, unknown>): Promise<void> {
  const res = await t.api('/api/v1/events', { method: 'POST', json: event });
  if (res.status !== 202) throw new Error(`ingest failed ${res.status}: ${await res.text()}`);
}

export const order = (orderId: string, extra: Record<string, unknown> = {}) => ({
  type: 'order.created',
  data: { orderId, customerId: 'cus_1', status: 'paid', total: 10, currency: 'EUR', items: [{ sku: 'TEE', quantity: 1, price: 10 }], ...extra },
});
