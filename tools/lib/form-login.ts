/**
 * Logging in the way a browser does, for the scripts in tools/ (benchmarks and fault drills) that
 * drive the real server over HTTP: GET the login form for its CSRF token and session cookie, then
 * POST the form. Shared so every script measures the same real login path.
 */

/** The cookies a response sets, merged over `previous` ("name=value; name=value"). */
export function cookiesOf(res: Response, previous = ''): string {
  const jar = new Map<string, string>();
  for (const pair of previous ? previous.split('; ') : []) {
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Logs in through the login form; returns the session's cookie header. Throws unless the app redirects (302). */
export async function formLogin(base: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${base}/logg-inn`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new Error('no CSRF token on the login page');
  const res = await fetch(`${base}/logg-inn`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiesOf(form) },
    body: new URLSearchParams({ _csrf: token, email, password }),
  });
  if (res.status !== 302) throw new Error(`login of ${email} answered ${res.status}`);
  return cookiesOf(res, cookiesOf(form));
}
