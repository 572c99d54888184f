import { expect } from 'chai';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser } from '../helpers/auth.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, TestBrowser, ssoLogin, startOidcProvider, startSsoApp, type TestOidcProvider } from '../helpers/oidc.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { findFreePort } from '../../src/db/index.js';

type SsoApp = Awaited<ReturnType<typeof startSsoApp>>;

const SESSION_COOKIE = 'fellesskap.sid';
const alertText = (html: string) => /<div class="alert error"[^>]*>\s*<p>([^<]+)<\/p>/.exec(html)?.[1]?.trim();
const heading = (html: string) => /<h1>([^<]+)<\/h1>/.exec(html)?.[1]?.trim();

async function signedInName(browser: TestBrowser, app: SsoApp): Promise<string | undefined> {
  const res = await browser.request(`${app.baseUrl}/`);
  return /<span class="user-name">([^<]+)<\/span>/.exec(await res.text())?.[1];
}

describe('http: single sign-on with OpenID Connect (full code flow against a local oidc-provider)', function () {
  this.timeout(60_000);
  let provider: TestOidcProvider;
  let appPort: number;
  let app: SsoApp;
  let autoCreateApp: SsoApp;
  let pidApp: SsoApp;

  const env = (issuer: string, extra: Record<string, string> = {}) => () => ({
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_DISPLAY_NAME: 'Logg inn med Testkommune',
    ...extra,
  });

  before(async () => {
    // The provider must know the callback before the app exists, so the app's port is chosen first.
    appPort = await findFreePort();
    const callbacks = [appPort, await findFreePort(), await findFreePort()].map((p) => `http://127.0.0.1:${p}/logg-inn/sso/callback`);
    provider = await startOidcProvider(callbacks);
    app = await startSsoApp(env(provider.issuer), new URL(callbacks[0]!).port);
    autoCreateApp = await startSsoApp(env(provider.issuer, { OIDC_AUTO_CREATE: 'true' }), new URL(callbacks[1]!).port);
    pidApp = await startSsoApp(env(provider.issuer, { OIDC_ID_CLAIM: 'employee_id' }), new URL(callbacks[2]!).port);
  });
  after(async () => {
    await app?.close();
    await autoCreateApp?.close();
    await pidApp?.close();
    await provider?.close();
  });
  beforeEach(async () => {
    await clearDatabase();
    provider.accounts.clear();
  });

  it('a person known by external id: full code flow with PKCE (S256), state and nonce; new session id; logged in', async () => {
    const { id, email } = await createUser({ name: 'Sara Sso' });
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-sara' } });
    provider.accounts.set('idp-sara', { email, email_verified: true, name: 'Sara Sso' });
    const browser = new TestBrowser();
    await browser.request(`${app.baseUrl}/logg-inn`);
    const before = browser.cookie(app.baseUrl, SESSION_COOKIE);

    const { url } = await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-sara');

    const authorization = new URL(browser.visited.find((u) => u.startsWith(`${provider.issuer}/auth?`))!);
    expect(authorization.searchParams.get('response_type')).to.equal('code');
    expect(authorization.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(authorization.searchParams.get('code_challenge')).to.match(/^[\w-]{43}$/);
    expect(authorization.searchParams.get('state')).to.match(/^[\w-]{20,}$/);
    expect(authorization.searchParams.get('nonce')).to.match(/^[\w-]{20,}$/);
    expect(authorization.searchParams.get('scope')).to.equal('openid email profile');
    expect(authorization.searchParams.get('redirect_uri')).to.equal(`${app.baseUrl}/logg-inn/sso/callback`);

    expect(url).to.equal(`${app.baseUrl}/`);
    expect(browser.cookie(app.baseUrl, SESSION_COOKIE)).to.be.a('string').and.not.equal(before);
    expect(await signedInName(browser, app)).to.equal('Sara Sso');
    expect((await UserModel.findById(id).lean())?.lastLoginAt).to.be.instanceOf(Date);
  });

  it('a person known only by a verified e-mail: logged in, and the external id is stored for next time', async () => {
    const { id, email } = await createUser({ name: 'Eva Epost' });
    provider.accounts.set('idp-eva', { email: email.toUpperCase(), email_verified: true, name: 'Eva Epost' });
    const browser = new TestBrowser();
    await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-eva');
    expect(await signedInName(browser, app)).to.equal('Eva Epost');
    expect((await UserModel.findById(id).lean())?.externalId).to.equal('idp-eva');
  });

  it('an e-mail the provider has not verified: not matched, so the "not registered" page (403) says whom to contact', async () => {
    const { id, email } = await createUser();
    provider.accounts.set('idp-unverified', { email, email_verified: false, name: 'Uverifisert' });
    const browser = new TestBrowser();
    const { res, html } = await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-unverified');
    expect(res.status).to.equal(403);
    expect(heading(html)).to.equal('Du har ikke konto i Fellesskap ennå');
    expect(html).to.contain('Ta kontakt med lederen din');
    expect(await signedInName(browser, app)).to.equal(undefined);
    expect((await UserModel.findById(id).lean())?.externalId).to.equal(null);
  });

  it('an unknown person with OIDC_AUTO_CREATE off: "not registered", and no account is created', async () => {
    provider.accounts.set('idp-new', { email: 'ny@test.example', email_verified: true, name: 'Ny Person' });
    const { res, html } = await ssoLogin(new TestBrowser(), `${app.baseUrl}/logg-inn/sso`, 'idp-new');
    expect(res.status).to.equal(403);
    expect(heading(html)).to.equal('Du har ikke konto i Fellesskap ennå');
    expect(await UserModel.countDocuments({})).to.equal(0);
  });

  it('an unknown person with OIDC_AUTO_CREATE on: an active account with e-mail, name and external id, logged in', async () => {
    provider.accounts.set('idp-auto', { email: 'Auto@Test.example', email_verified: true, given_name: 'Aud', family_name: 'Auto' });
    const browser = new TestBrowser();
    await ssoLogin(browser, `${autoCreateApp.baseUrl}/logg-inn/sso`, 'idp-auto');
    expect(await signedInName(browser, autoCreateApp)).to.equal('Aud Auto');
    const created = await UserModel.findOne({ externalId: 'idp-auto' }).lean();
    expect(created).to.include({ email: 'auto@test.example', name: 'Aud Auto', status: 'active', passwordHash: null });
  });

  it('a deactivated account: refused with a page that says so (403), not logged in', async () => {
    const { id } = await createUser();
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-gone', status: 'deactivated' } });
    provider.accounts.set('idp-gone', { email_verified: false });
    const browser = new TestBrowser();
    const { res, html } = await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-gone');
    expect(res.status).to.equal(403);
    expect(heading(html)).to.equal('Kontoen er ikke aktiv');
    expect(await signedInName(browser, app)).to.equal(undefined);
  });

  it('an e-mail whose account is tied to another identity: refused, and the link is not changed', async () => {
    const { id, email } = await createUser();
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-original' } });
    provider.accounts.set('idp-impostor', { email, email_verified: true });
    const { res, html } = await ssoLogin(new TestBrowser(), `${app.baseUrl}/logg-inn/sso`, 'idp-impostor');
    expect(res.status).to.equal(403);
    expect(heading(html)).to.equal('Vi kunne ikke logge deg inn');
    expect((await UserModel.findById(id).lean())?.externalId).to.equal('idp-original');
  });

  it('an invited person signing in by SSO: becomes active', async () => {
    const { id } = await createUser();
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-invited', status: 'invited', passwordHash: null } });
    provider.accounts.set('idp-invited', {});
    const browser = new TestBrowser();
    await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-invited');
    expect(await signedInName(browser, app)).to.be.a('string');
    expect((await UserModel.findById(id).lean())?.status).to.equal('active');
  });

  it('OIDC_ID_CLAIM: the configured claim, not sub, identifies the person', async () => {
    const { id } = await createUser({ name: 'Per Pid' });
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'ansatt-4711' } });
    provider.accounts.set('idp-random-sub', { employee_id: 'ansatt-4711' });
    const browser = new TestBrowser();
    await ssoLogin(browser, `${pidApp.baseUrl}/logg-inn/sso`, 'idp-random-sub');
    expect(await signedInName(browser, pidApp)).to.equal('Per Pid');
  });

  it('returnTo: a local page asked for before login is where SSO ends', async () => {
    const { id } = await createUser();
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-return' } });
    provider.accounts.set('idp-return', {});
    const { url } = await ssoLogin(new TestBrowser(), `${app.baseUrl}/logg-inn/sso?returnTo=%2Ftilgjengelighet`, 'idp-return');
    expect(url).to.equal(`${app.baseUrl}/tilgjengelighet`);
  });

  it('cancelled at the provider: back on the login page with a message (401), not logged in', async () => {
    provider.accounts.set('idp-cancel', {});
    const browser = new TestBrowser();
    const { res, html } = await ssoLogin(browser, `${app.baseUrl}/logg-inn/sso`, 'idp-cancel', { abort: true });
    expect(res.status).to.equal(401);
    expect(alertText(html)).to.equal('Innloggingen med «Logg inn med Testkommune» ble avbrutt eller mislyktes. Prøv igjen, eller logg inn med e-post og passord.');
    expect(await signedInName(browser, app)).to.equal(undefined);
  });

  it('a callback this browser did not start, or with a tampered state: refused with the same message', async () => {
    const { id } = await createUser();
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-state' } });
    provider.accounts.set('idp-state', {});
    const direct = await new TestBrowser().request(`${app.baseUrl}/logg-inn/sso/callback?code=abc&state=xyz`);
    expect(direct.status).to.equal(401);
    expect(alertText(await direct.text())).to.contain('ble avbrutt eller mislyktes');

    // A real code, but the state in the callback is not the one this session sent.
    const browser = new TestBrowser();
    let { res, url } = await browser.follow(`${app.baseUrl}/logg-inn/sso`);
    for (let i = 0; i < 2; i += 1) {
      const uid = new URL(url).pathname.split('/')[2]!;
      const form: Record<string, string> = (await res.text()).includes('name="login"') ? { prompt: 'login', login: 'idp-state', password: 'x' } : { prompt: 'consent' };
      res = await browser.request(`${provider.issuer}/interaction/${uid}`, { form });
      url = new URL(res.headers.get('location')!, url).href;
      while (res.status >= 300 && res.status < 400 && !url.startsWith(app.baseUrl)) {
        res = await browser.request(url);
        url = new URL(res.headers.get('location') ?? url, url).href;
        if (res.status === 200) break;
      }
    }
    expect(url.startsWith(`${app.baseUrl}/logg-inn/sso/callback?`)).to.equal(true);
    const tampered = new URL(url);
    tampered.searchParams.set('state', 'not-the-state-we-sent');
    const refused = await browser.request(tampered.href);
    expect(refused.status).to.equal(401);
    expect(await signedInName(browser, app)).to.equal(undefined);
  });

  it('login page: shows the button with OIDC_DISPLAY_NAME when SSO is configured', async () => {
    const page = await (await new TestBrowser().request(`${app.baseUrl}/logg-inn`)).text();
    expect(page).to.match(/<a class="button secondary" href="\/logg-inn\/sso">Logg inn med Testkommune<\/a>/);
  });

  it('the provider unreachable: the login page says SSO is not available now (503)', async () => {
    const deadPort = await findFreePort();
    const offline = await startSsoApp(env(`http://127.0.0.1:${deadPort}`));
    try {
      const res = await new TestBrowser().request(`${offline.baseUrl}/logg-inn/sso`);
      expect(res.status).to.equal(503);
      expect(alertText(await res.text())).to.contain('er ikke tilgjengelig akkurat nå');
    } finally {
      await offline.close();
    }
  });

  it('SSO not configured (no OIDC_ISSUER): no button, and the SSO routes do not exist', async () => {
    const plain = await buildTestApp();
    const page = await request(plain).get('/logg-inn').expect(200);
    expect(page.text).not.to.contain('/logg-inn/sso');
    await request(plain).get('/logg-inn/sso').expect(404);
    await request(plain).get('/logg-inn/sso/callback?code=x&state=y').expect(404);
  });
});
