import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { findFreePort } from '../../src/db/index.js';
import { buildTestApp } from './app.js';

export const OIDC_CLIENT_ID = 'fellesskap-test';
export const OIDC_CLIENT_SECRET = 'test-client-secret-for-the-local-provider';

/** Claims the test provider knows per account id (the OIDC `sub`). */
export type TestAccounts = Map<string, Record<string, unknown>>;

export interface TestOidcProvider {
  issuer: string;
  accounts: TestAccounts;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (node-oidc-provider) on a free loopback port, with one confidential client
 * whose redirect URI is the app's callback. Its development interactions (a login form that takes
 * any account id, then a consent form) stand in for the municipality's login page.
 */
export async function startOidcProvider(redirectUris: string[]): Promise<TestOidcProvider> {
  const port = await findFreePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts: TestAccounts = new Map();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'employee_id'],
    },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The app on a real loopback port with SSO configured against the given issuer. */
export async function startSsoApp(env: (port: number) => Record<string, string>, fixedPort?: string): Promise<{ baseUrl: string; port: number; close: () => Promise<void> }> {
  // The port must be known before the app is built (its BASE_URL), so it is found first; another
  // process can take it in between (seen once in CI), so a refused listen tries a new port.
  for (let attempt = 1; ; attempt += 1) {
    const port = fixedPort ? Number(fixedPort) : await findFreePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await buildTestApp({ env: { BASE_URL: baseUrl, ...env(port) } });
    const server = await new Promise<Server | null>((resolve) => {
      const s = app.listen(port, '127.0.0.1', (err?: Error) => resolve(err || !s.address() ? null : s));
    });
    if (!server) {
      if (fixedPort || attempt >= 5) throw new Error(`cannot listen on 127.0.0.1:${port}`);
      continue;
    }
    return started(server, baseUrl);
  }
}

function started(server: Server, baseUrl: string): { baseUrl: string; port: number; close: () => Promise<void> } {
  return {
    baseUrl,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A tiny browser: a cookie jar per origin, manual redirects, forms posted as urlencoded. */
export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();
  /** Every URL requested, in order (to inspect the authorization request). */
  readonly visited: string[] = [];

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    this.visited.push(target.href);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now());
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects from `url` until a page that is not a redirect (or maxHops). */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}, maxHops = 20): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    let current = url;
    for (let hop = 0; hop < maxHops && res.status >= 300 && res.status < 400; hop += 1) {
      current = new URL(res.headers.get('location')!, current).href;
      res = await this.request(current);
    }
    return { res, url: current };
  }
}

/**
 * Runs the whole SSO login in the test browser: start at the app, sign in at the provider as
 * `accountId`, consent, and come back. Returns the final page. `abort` cancels at the provider.
 */
export async function ssoLogin(browser: TestBrowser, startUrl: string, accountId: string, options: { abort?: boolean } = {}): Promise<{ res: Response; url: string; html: string }> {
  let { res, url } = await browser.follow(startUrl);
  for (let step = 0; step < 4; step += 1) {
    const onProvider = /\/interaction\//.test(new URL(url).pathname);
    if (!onProvider) break;
    const html = await res.text();
    const uid = new URL(url).pathname.split('/')[2]!;
    const origin = new URL(url).origin;
    if (options.abort) {
      ({ res, url } = await browser.follow(`${origin}/interaction/${uid}/abort`));
      continue;
    }
    const form: Record<string, string> = html.includes('name="login"') ? { prompt: 'login', login: accountId, password: 'irrelevant' } : { prompt: 'consent' };
    ({ res, url } = await browser.follow(`${origin}/interaction/${uid}`, { form }));
  }
  return { res, url, html: await res.text() };
}
