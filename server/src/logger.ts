import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; secrets that might sit in headers or bodies are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tripline' },
    redact: {
      paths: [
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
  });
}
