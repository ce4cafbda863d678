import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * JSON logs for machines; coloured one-line logs when a person watches the terminal.
 * Secrets that might sit in headers or bodies are redacted either way.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const human = options.pretty ?? process.stdout.isTTY === true;
  const stream = human ? pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }) : undefined;
  return pino({
    level,
    base: { service: 'tripline' },
    redact: {
      paths: [
        'secret',
        'password',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.secret',
        '*.password',
        '*.clientSecret',
        '*.privateKey',
      ],
      censor: '[redacted]',
    },
  }, stream);
}
