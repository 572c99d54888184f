import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

/**
 * One structured logger to stdout (house rule 7). Secrets and personal free text are
 * redacted here once, so no call site has to remember it.
 *
 * `pretty` sends the same records through pino's transport to pino-pretty (a worker thread), for a
 * person reading a terminal; `json` writes JSON lines, for log collectors, production and tests.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options: LoggerOptions = {
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
  // The destination is for tests that read what was logged; the app always writes to stdout.
  if (destination) return pino(options, destination);
  if (format === 'pretty') {
    return pino(
      options,
      pino.transport({
        target: 'pino-pretty',
        options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
      }) as DestinationStream,
    );
  }
  return pino(options);
}
