import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger to stdout (house rule 7). Secrets and personal free text are
 * redacted here once, so no call site has to remember it.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  // The destination is for tests that read what was logged; the app always writes to stdout.
  const options = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}
