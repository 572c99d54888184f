/**
 * Runs a housekeeping task at most once per interval, from the traffic that needs it: no timer
 * to start or stop, and every app instance sweeps on its own without coordination (the tasks are
 * idempotent deletes of expired documents, the replacement for TTL indexes FerretDB v1 lacks).
 */
export function atMostEvery(intervalMs: number, task: (now: Date) => Promise<unknown>): (now?: Date) => Promise<void> {
  let lastRun = 0;
  return async (now = new Date()) => {
    if (now.getTime() - lastRun < intervalMs) return;
    lastRun = now.getTime();
    await task(now);
  };
}
