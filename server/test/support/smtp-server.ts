import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the test SMTP server received and parsed it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  cc: string[];
  replyTo: string | undefined;
  subject: string;
  text: string;
  html: string | undefined;
  messageId: string | undefined;
  /** The SMTP envelope's recipients (To and Cc). */
  envelopeTo: string[];
  raw: ParsedMail;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Users that logged in, with the password they gave (to prove the stored one is sent). */
  logins: { username: string; password: string }[];
  /** Answers the next `count` messages' DATA with this SMTP code instead of accepting them. */
  refuseNext(count: number, code: number, message?: string): void;
  /** Every DATA answer, accepted or not, in order: how many times a message was tried. */
  answers: number[];
  close(): Promise<void>;
}

const addresses = (value: ParsedMail['to']): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

/**
 * A real SMTP server on loopback (the `smtp-server` package, which mail tooling is tested
 * with), parsing each message with `mailparser`. No TLS (STARTTLS is not offered, so a
 * client in `starttls` mode stays plain); AUTH PLAIN/LOGIN over plain text is allowed.
 */
export async function startSmtpServer(opts: { requireAuth?: { username: string; password: string } } = {}): Promise<TestSmtpServer> {
  const refusals: { code: number; message: string }[] = [];
  const state: TestSmtpServer = {
    host: '127.0.0.1',
    port: 0,
    messages: [],
    logins: [],
    answers: [],
    refuseNext(count, code, message = code >= 500 ? 'mailbox unavailable' : 'try again later') {
      for (let i = 0; i < count; i++) refusals.push({ code, message });
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    disabledCommands: opts.requireAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !opts.requireAuth,
    logger: false,
    onAuth(auth, _session, callback) {
      state.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (opts.requireAuth && (auth.username !== opts.requireAuth.username || auth.password !== opts.requireAuth.password)) {
        return callback(Object.assign(new Error('authentication failed'), { responseCode: 535 }));
      }
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = refusals.shift();
        if (refusal) {
          state.answers.push(refusal.code);
          return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            state.messages.push({
              from: addresses(mail.from as ParsedMail['to'])[0] ?? '',
              to: addresses(mail.to),
              cc: addresses(mail.cc),
              replyTo: addresses(mail.replyTo as ParsedMail['to'])[0],
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : undefined,
              messageId: mail.messageId,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw: mail,
            });
            state.answers.push(250);
            callback(null, 'queued as test');
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
