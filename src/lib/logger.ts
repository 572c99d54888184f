import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger to stdout (house rule 7). Secrets and personal free text are
 * redacted here once, so no call site has to remember it.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'fellesskap' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.text',
      ],
      censor: '[redacted]',
    },
  });
}
