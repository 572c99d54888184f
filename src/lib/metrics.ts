import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client). Counters are module-level so any component can
 * count without being handed the registry; they cost a few object writes whether or not /metrics is
 * on. The process metrics (event-loop lag, memory, GC) and the collectors that read the database are
 * started only when /metrics is switched on (`enableProcessMetrics`, `onCollect`).
 */
export const registry = new Registry();

export const httpRequests = new Counter({
  name: 'fellesskap_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern (never the raw URL) and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'fellesskap_http_request_duration_seconds',
  help: 'Time from a request arriving to its answer being sent, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const dbCommandDuration = new Histogram({
  name: 'fellesskap_db_command_duration_seconds',
  help: 'Database command round trips as the driver measured them, by command name and outcome',
  labelNames: ['command', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

export const progressActions = new Counter({
  name: 'fellesskap_progress_actions_total',
  help: 'Learner actions on activities: applied, or a repeat of an action already stored (double click, retry)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const logins = new Counter({
  name: 'fellesskap_logins_total',
  help: 'Login attempts by method (password, oidc) and result (ok, failed, refused by the failed-login limit)',
  labelNames: ['method', 'result'] as const,
  registers: [registry],
});

export const emails = new Counter({
  name: 'fellesskap_emails_total',
  help: 'E-mails handed to the transport (sent) or refused by it (failed), by template',
  labelNames: ['template', 'result'] as const,
  registers: [registry],
});

export const digestLastRun = new Gauge({
  name: 'fellesskap_digest_last_finished_timestamp_seconds',
  help: 'When the weekly digest last finished (Unix time; 0: never), read from the database at each scrape',
  registers: [registry],
});

// Once per process: the process metrics describe the process, and the registry is one per process.
let processMetricsOn = false;

/** Event-loop lag, heap, GC and the other Node process metrics; once per process. */
export function enableProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

type Collector = () => Promise<void>;
const collectors = new Set<Collector>();

/** A function run before each scrape (e.g. to read the digest's last run from the database). */
export function onCollect(collector: Collector): void {
  collectors.add(collector);
}

/** The text a Prometheus server scrapes. A collector that fails leaves its metric as it was. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  await Promise.allSettled([...collectors].map((c) => c()));
  return { contentType: registry.contentType, body: await registry.metrics() };
}
