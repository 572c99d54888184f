/**
 * A small load driver: each logged-in learner posts, one request after the other, the actions a real
 * lesson page posts — «Lagre» on a reflection (a unique text each time) and «Marker leksjonen som
 * lest» — alternating between the form (303 back to the lesson) and the autosave script's JSON.
 * Every request carries its own action id, also sent as X-Request-Id, so the app's log line, its
 * error page and the stored document can all be matched to the request.
 */
import { randomBytes } from 'node:crypto';
import { LESSON, MODULE, type Learner, type Target } from './world.js';

/**
 * acked: 2xx JSON with `applied: true`, or the form's 303 back to the lesson.
 * failedClean: refused with the app's own error page or JSON error (5xx), or no connection at all.
 * hung: no answer within the client timeout.
 * reset: the connection broke with no answer (judged later against the app's log).
 * unexpected: any other answer (a 4xx, a redirect elsewhere, a 5xx that is not the app's error page).
 */
export type Result = 'acked' | 'failedClean' | 'hung' | 'reset' | 'unexpected';

export interface Outcome {
  learner: number;
  actionId: string;
  activityId: string;
  kind: Target['kind'];
  /** The reflection text sent (save only). */
  text: string | undefined;
  seq: number;
  startedAt: number;
  endedAt: number;
  result: Result;
  detail: string;
  json: boolean;
}

export interface LoadOptions {
  base: string;
  learners: Learner[];
  scenario: string;
  durationMs: number;
  /** Bounded count: the progress document remembers 100–150 action ids, so stay below that in total. */
  maxPerLearner: number;
  timeoutMs: number;
  thinkMs: number;
  /** Stop sending new requests (already sent ones still finish). */
  stopped?: () => boolean;
  /** A learner whose connection is refused stops, as a person would who sees the browser's error page. */
  stopOnRefused?: boolean;
}

function errorCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string; message?: string } };
  // An aborted fetch is a DOMException whose numeric `code` says nothing; its name does.
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
  return e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? 'unknown';
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function send(base: string, learner: Learner, target: Target, actionId: string, text: string | undefined, json: boolean, timeoutMs: number): Promise<{ result: Result; detail: string }> {
  const fields: Record<string, string> = { _csrf: learner.csrf, action: target.kind, actionId };
  if (text !== undefined) fields.text = text;
  const headers: Record<string, string> = { Cookie: learner.cookie, 'X-Request-Id': actionId };
  let body: string;
  if (json) {
    headers['Content-Type'] = 'application/json';
    headers.Accept = 'application/json';
    headers['X-CSRF-Token'] = learner.csrf;
    body = JSON.stringify(fields);
  } else {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers.Accept = 'text/html';
    body = new URLSearchParams(fields).toString();
  }
  let res: Response;
  let text2: string;
  try {
    // The timeout covers the whole exchange, body included: a request that has no answer by then hung.
    const signal = AbortSignal.timeout(timeoutMs);
    res = await fetch(`${base}${target.url}`, { method: 'POST', redirect: 'manual', headers, body, signal });
    text2 = await res.text();
  } catch (err) {
    const code = errorCode(err);
    if (code === 'TimeoutError' || code === 'AbortError') return { result: 'hung', detail: 'timeout' };
    if (code === 'ECONNREFUSED') return { result: 'failedClean', detail: 'ECONNREFUSED' };
    return { result: 'reset', detail: code };
  }
  const location = res.headers.get('location') ?? '';
  if (json && res.status === 200) {
    const answer = parseJson(text2);
    if (!answer) return { result: 'unexpected', detail: '200 without JSON' };
    // A new action id that is not applied was acknowledged but not written: verification counts it lost.
    return { result: 'acked', detail: answer.applied === true ? '200' : '200 not applied' };
  }
  if (!json && res.status === 303 && location.startsWith(`/moduler/${MODULE}/${LESSON}#`)) return { result: 'acked', detail: '303' };
  if (res.status >= 500) {
    const own = json ? (parseJson(text2)?.error as { errorId?: string } | undefined)?.errorId === actionId : text2.includes(`<code>${actionId}</code>`);
    return { result: own ? 'failedClean' : 'unexpected', detail: `${res.status}${own ? '' : ' (not the app error page)'}` };
  }
  return { result: 'unexpected', detail: `${res.status} ${location}`.trim() };
}

/** Runs the load until the time is up (or `stopped()`), then waits for every request to finish. */
export async function runLoad(options: LoadOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const end = Date.now() + options.durationMs;
  const run = async (learner: Learner) => {
    const saves = learner.targets.filter((t) => t.kind === 'save');
    const reads = learner.targets.filter((t) => t.kind === 'markRead');
    // Learners start spread over the first second, as people do.
    await new Promise((r) => setTimeout(r, (learner.index * 37) % 1000));
    for (let seq = 1; seq <= options.maxPerLearner && Date.now() < end && !options.stopped?.(); seq += 1) {
      const target = seq % 5 === 0 && reads.length > 0 ? reads[seq % reads.length]! : saves[seq % saves.length]!;
      const actionId = `${options.scenario}-L${String(learner.index).padStart(3, '0')}-${String(seq).padStart(4, '0')}`;
      const text = target.kind === 'save' ? `Drill ${actionId}: ${randomBytes(6).toString('hex')}\nAndre linje.` : undefined;
      const startedAt = Date.now();
      const { result, detail } = await send(options.base, learner, target, actionId, text, seq % 2 === 0, options.timeoutMs);
      outcomes.push({ learner: learner.index, actionId, activityId: target.activityId, kind: target.kind, text, seq, startedAt, endedAt: Date.now(), result, detail, json: seq % 2 === 0 });
      if (options.stopOnRefused && detail === 'ECONNREFUSED') break;
      await new Promise((r) => setTimeout(r, options.thinkMs));
    }
  };
  await Promise.all(options.learners.map(run));
  return outcomes;
}
