import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('config: single sign-on (OIDC_*)', () => {
  it('no OIDC_ISSUER: SSO is off', () => {
    expect(loadConfig({}).oidc).to.equal(undefined);
  });

  it('an issuer with a client: defaults for scopes, identifying claim, auto-create and button text', () => {
    const { oidc } = loadConfig({ OIDC_ISSUER: 'https://login.kommune.no/', OIDC_CLIENT_ID: 'fellesskap', OIDC_CLIENT_SECRET: 's3cret' });
    expect(oidc).to.deep.equal({
      issuer: 'https://login.kommune.no/',
      clientId: 'fellesskap',
      clientSecret: 's3cret',
      scopes: 'openid email profile',
      idClaim: 'sub',
      autoCreate: false,
      displayName: 'Logg inn med kommunens pålogging',
      allowInsecureRequests: false,
    });
  });

  it('every OIDC setting given: taken as written', () => {
    const { oidc } = loadConfig({
      OIDC_ISSUER: 'https://auth.dataporten.no',
      OIDC_CLIENT_ID: 'c',
      OIDC_SCOPES: 'openid email profile userid-feide',
      OIDC_ID_CLAIM: 'https://n.feide.no/claims/eduPersonPrincipalName',
      OIDC_AUTO_CREATE: 'true',
      OIDC_DISPLAY_NAME: 'Logg inn med Feide',
    });
    expect(oidc).to.include({ scopes: 'openid email profile userid-feide', idClaim: 'https://n.feide.no/claims/eduPersonPrincipalName', autoCreate: true, displayName: 'Logg inn med Feide' });
  });

  it('an issuer without OIDC_CLIENT_ID: refused with one line', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://login.kommune.no' })).to.throw(ConfigError, /OIDC_CLIENT_ID is required when OIDC_ISSUER is set/);
  });

  it('scopes without openid: refused', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://x.no', OIDC_CLIENT_ID: 'c', OIDC_SCOPES: 'email profile' })).to.throw(ConfigError, /OIDC_SCOPES must include openid/);
  });

  it('plain http: allowed only for a loopback issuer outside production', () => {
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_CLIENT_ID: 'c' }).oidc?.allowInsecureRequests).to.equal(true);
    expect(loadConfig({ OIDC_ISSUER: 'http://localhost:4000', OIDC_CLIENT_ID: 'c' }).oidc?.allowInsecureRequests).to.equal(true);
    expect(() => loadConfig({ OIDC_ISSUER: 'http://login.kommune.no', OIDC_CLIENT_ID: 'c' })).to.throw(ConfigError, /OIDC_ISSUER must be an https URL/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), MONGODB_URI: 'mongodb://db/f', OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_CLIENT_ID: 'c' }),
    ).to.throw(ConfigError, /OIDC_ISSUER must be an https URL/);
  });
});
