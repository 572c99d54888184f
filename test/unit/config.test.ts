import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('config: loadConfig', () => {
  it('defaults: development on port 3000 with the embedded database and demo data', () => {
    const config = loadConfig({});
    expect(config.env).to.equal('development');
    expect(config.port).to.equal(3000);
    expect(config.mongodbUri).to.equal(undefined);
    expect(config.seedDemo).to.equal(true);
    expect(config.baseUrl).to.equal('http://localhost:3000');
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('a PORT that is not a number: one line naming PORT', () => {
    expect(() => loadConfig({ PORT: 'abc' })).to.throw(ConfigError, /^Invalid configuration: PORT .*\(got "abc"\)$/);
  });

  it('a MONGODB_URI with another scheme: refused with what is allowed', () => {
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).to.throw(ConfigError, /MONGODB_URI must start with mongodb:\/\//);
  });

  it('production without SESSION_SECRET: refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', MONGODB_URI: 'mongodb://db:27017/f' })).to.throw(ConfigError, /SESSION_SECRET is required/);
  });

  it('production without MONGODB_URI: refused (no embedded database in production)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).to.throw(ConfigError, /MONGODB_URI is required/);
  });

  it('a short SESSION_SECRET: refused with the minimum length', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).to.throw(ConfigError, /SESSION_SECRET must be at least 32 characters/);
  });

  it('production with its secrets: no demo data, trailing slash trimmed from BASE_URL', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      MONGODB_URI: 'mongodb://db1,db2/fellesskap?replicaSet=rs0',
      BASE_URL: 'https://fellesskap.kommune.no/',
    });
    expect(config.isProduction).to.equal(true);
    expect(config.seedDemo).to.equal(false);
    expect(config.baseUrl).to.equal('https://fellesskap.kommune.no');
  });

  it('PERSON_CACHE_SIZE: 10000 by default, 0 turns the cache off, a negative size refused naming it', () => {
    expect(loadConfig({}).personCacheSize).to.equal(10000);
    expect(loadConfig({ PERSON_CACHE_SIZE: '0' }).personCacheSize).to.equal(0);
    expect(() => loadConfig({ PERSON_CACHE_SIZE: '-1' })).to.throw(ConfigError, /PERSON_CACHE_SIZE must be 0 \(off\) or more/);
  });

  it('SESSION_CACHE_SIZE: 10000 by default, 0 turns the cache off, a negative size refused naming it', () => {
    expect(loadConfig({}).sessionCacheSize).to.equal(10000);
    expect(loadConfig({ SESSION_CACHE_SIZE: '0' }).sessionCacheSize).to.equal(0);
    expect(() => loadConfig({ SESSION_CACHE_SIZE: '-1' })).to.throw(ConfigError, /SESSION_CACHE_SIZE must be 0 \(off\) or more/);
  });

  it('SESSION_SWEEP_INTERVAL_MS: ten minutes by default, milliseconds when set, under a second refused naming it', () => {
    expect(loadConfig({}).sessionSweepIntervalMs).to.equal(600_000);
    expect(loadConfig({ SESSION_SWEEP_INTERVAL_MS: '2000' }).sessionSweepIntervalMs).to.equal(2000);
    expect(() => loadConfig({ SESSION_SWEEP_INTERVAL_MS: '10' })).to.throw(ConfigError, /^Invalid configuration: SESSION_SWEEP_INTERVAL_MS must be at least 1000 \(one second\) \(got "10"\)$/);
    expect(() => loadConfig({ SESSION_SWEEP_INTERVAL_MS: 'often' })).to.throw(ConfigError, /SESSION_SWEEP_INTERVAL_MS/);
  });

  it('empty strings count as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '' }).port).to.equal(3000);
  });

  it('ACCESSIBILITY_CONTACT: an e-mail address or an http(s) URL, unset by default, anything else refused', () => {
    expect(loadConfig({}).accessibilityContact).to.equal(undefined);
    expect(loadConfig({ ACCESSIBILITY_CONTACT: 'uu@kommune.example' }).accessibilityContact).to.deep.equal({ kind: 'email', value: 'uu@kommune.example' });
    expect(loadConfig({ ACCESSIBILITY_CONTACT: 'https://kommune.example/uu' }).accessibilityContact).to.deep.equal({ kind: 'url', value: 'https://kommune.example/uu' });
    expect(() => loadConfig({ ACCESSIBILITY_CONTACT: 'javascript:alert(1)' })).to.throw(ConfigError, /ACCESSIBILITY_CONTACT must be an e-mail address or an http\(s\) URL/);
  });
});
