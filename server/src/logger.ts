import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * JSON logs for machines; coloured one-line logs when a person watches the terminal.
 * Secrets that might sit in headers or bodies are redacted either way. `destination`: where
 * the JSON lines go instead of stdout (tests read them).
 */
export function createLogger(level: string, options: { pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const human = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const stream = human ? pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }) : options.destination;
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
