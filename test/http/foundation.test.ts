import { expect } from 'chai';
import request from 'supertest';
import { Router, type Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { NotFoundError } from '../../src/lib/errors.js';

describe('http: health, pages and errors', () => {
  let app: Express;

  before(async () => {
    const probes = Router();
    probes.get('/__test/boom', () => {
      throw new Error('secret internal detail');
    });
    probes.get('/api/__test/missing', () => {
      throw new NotFoundError('nothing here');
    });
    app = await buildTestApp({ extraRoutes: probes });
  });

  beforeEach(clearDatabase);

  it('GET /healthz: 200 while the process is up', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('GET /readyz: 200 when the database answers a ping', async () => {
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ready' });
  });

  it('GET /: the front page in bokmål says what the platform is for', async () => {
    const res = await request(app).get('/').expect(200).expect('Content-Type', /html/);
    expect(res.text).to.match(/<html lang="nb">/);
    expect(res.text).to.contain('Kompetanse for inkluderende fellesskap');
    expect(res.text).to.contain('href="#main"');
    expect(res.text).to.contain('<main id="main"');
    expect(res.text).to.contain('href="/tilgjengelighet"');
  });

  it('GET /?lang=nn: nynorsk, lang attribute follows, choice kept in a cookie', async () => {
    const res = await request(app).get('/?lang=nn').expect(200);
    expect(res.text).to.match(/<html lang="nn">/);
    expect(res.text).to.contain('inkluderande fellesskap');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).to.match(/lang=nn/);
    const again = await request(app).get('/').set('Cookie', 'lang=en').expect(200);
    expect(again.text).to.match(/<html lang="en">/);
  });

  it('GET / from an English browser without a choice: still bokmål (the default)', async () => {
    const res = await request(app).get('/').set('Accept-Language', 'en-GB,en;q=0.9').expect(200);
    expect(res.text).to.match(/<html lang="nb">/);
  });

  it('GET /?lang=xx (unsupported): bokmål', async () => {
    const res = await request(app).get('/?lang=xx').expect(200);
    expect(res.text).to.match(/<html lang="nb">/);
  });

  it('GET /tilgjengelighet: the accessibility statement names WCAG 2.1 and how to give feedback', async () => {
    const res = await request(app).get('/tilgjengelighet').expect(200);
    expect(res.text).to.contain('WCAG 2.1');
    expect(res.text).to.contain('Si fra om noe ikke fungerer');
  });

  it('unknown page: 404 with a friendly Norwegian page and an error id', async () => {
    const res = await request(app).get('/finnes-ikke').expect(404).expect('Content-Type', /html/);
    expect(res.text).to.contain('Vi fant ikke siden');
    expect(res.text).to.contain('Gå til forsiden');
    expect(res.text).to.contain(res.headers['x-request-id']);
  });

  it('unknown /api route: 404 as a JSON error', async () => {
    const res = await request(app).get('/api/__test/missing').expect(404).expect('Content-Type', /json/);
    expect(res.body.error.status).to.equal(404);
    expect(res.body.error.message).to.match(/Vi fant ikke/);
    expect(res.body.error.errorId).to.equal(res.headers['x-request-id']);
  });

  it('an unexpected error: 500 page with the error id and no internal detail or stack', async () => {
    const res = await request(app).get('/__test/boom').expect(500);
    expect(res.text).to.contain('En feil oppstod hos oss');
    expect(res.text).to.contain(res.headers['x-request-id']);
    expect(res.text).not.to.contain('secret internal detail');
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
  });

  it('a malformed JSON body: 400 with a clear message, not 500', async () => {
    const res = await request(app)
      .post('/api/__test/missing')
      .set('Content-Type', 'application/json')
      .set('Accept', 'application/json')
      .send('{"broken":')
      .expect(400);
    expect(res.body.error.message).to.match(/Sjekk det du fylte inn/);
  });

  it('a well-formed request id from a proxy is reused', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'lb-req-12345678').expect(200);
    expect(res.headers['x-request-id']).to.equal('lb-req-12345678');
    const injected = await request(app).get('/healthz').set('X-Request-Id', 'bad id <script> with spaces');
    expect(injected.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('security headers: CSP allows only our own scripts and styles; no X-Powered-By', async () => {
    const res = await request(app).get('/').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("style-src 'self'");
    expect(csp).not.to.contain('unsafe-inline');
    expect(csp).to.contain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it('static files: versioned URLs are cached for a year, plain ones briefly', async () => {
    const page = await request(app).get('/').expect(200);
    const href = /href="(\/static\/css\/main\.css\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
    expect(href, 'versioned stylesheet link').to.be.a('string');
    const css = await request(app).get(href!).expect(200);
    expect(css.headers['cache-control']).to.contain('immutable');
    const plain = await request(app).get('/static/css/main.css').expect(200);
    expect(plain.headers['cache-control']).to.equal('public, max-age=300');
  });

  it('the test database really is in use (a write is read back)', async () => {
    const coll = mongoose.connection.db!.collection('probe');
    await coll.insertOne({ _id: 'x' as never, n: 1 });
    expect(await coll.countDocuments()).to.equal(1);
  });
});
