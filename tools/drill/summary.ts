/** Counting a scenario's outcomes and printing them for people. */
import type { Outcome } from './load.js';

export interface ScenarioReport {
  name: string;
  sent: number;
  acked: number;
  failedClean: number;
  lost: number;
  hung: number;
  /** Connections broken after the app had read the request, and answers that were neither an ack nor a clean error. */
  broken: number;
  /** Database replies and pages checked against their request (scenario 0), and those that failed the check. */
  replies: number;
  mismatched: number;
  malformed: number;
  checks: Array<{ ok: boolean; what: string }>;
  notes: string[];
}

export function newReport(name: string): ScenarioReport {
  return { name, sent: 0, acked: 0, failedClean: 0, lost: 0, hung: 0, broken: 0, replies: 0, mismatched: 0, malformed: 0, checks: [], notes: [] };
}

export function count(report: ScenarioReport, outcomes: Outcome[]): void {
  report.sent += outcomes.length;
  for (const o of outcomes) {
    if (o.result === 'acked') report.acked += 1;
    else if (o.result === 'failedClean') report.failedClean += 1;
    else if (o.result === 'hung') report.hung += 1;
    else report.broken += 1;
  }
}

export function check(report: ScenarioReport, ok: boolean, what: string): boolean {
  report.checks.push({ ok, what });
  return ok;
}

export function passed(report: ScenarioReport): boolean {
  return report.lost === 0 && report.hung === 0 && report.broken === 0 && report.mismatched === 0 && report.malformed === 0 && report.checks.every((c) => c.ok);
}

/** How the failures were spread: "503 ×12, ECONNREFUSED ×3". */
export function spread(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) if (o.result !== 'acked') counts.set(`${o.result} ${o.detail}`, (counts.get(`${o.result} ${o.detail}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
}

export function printReport(report: ScenarioReport): void {
  console.log(`\n== ${report.name}: ${passed(report) ? 'PASS' : 'FAIL'}`);
  if (report.sent > 0) {
    console.log(
      `   sent ${report.sent}, acknowledged ${report.acked}, failed with a clean error ${report.failedClean}, lost ${report.lost}, hung ${report.hung}, broken ${report.broken}`,
    );
  }
  if (report.replies > 0) console.log(`   replies checked ${report.replies}, mismatched ${report.mismatched}, malformed ${report.malformed}`);
  for (const note of report.notes) console.log(`   ${note}`);
  for (const c of report.checks) console.log(`   [${c.ok ? 'ok' : 'FAIL'}] ${c.what}`);
}

/** Answer times of the acknowledged requests: "p50 120 ms, p95 900 ms, max 2.1 s". */
export function latency(outcomes: Outcome[]): string {
  const ms = outcomes.filter((o) => o.result === 'acked').map((o) => o.endedAt - o.startedAt).sort((a, b) => a - b);
  if (ms.length === 0) return 'no answers';
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${ms.at(-1)} ms`;
}
