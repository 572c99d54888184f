import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { paths } from '../../src/config/index.js';
import { getModuleVersion, listCatalogue, nextVersion, publishFromFolder, setModuleStatus } from '../../src/components/modules/index.js';
import { ModuleAssetModel, ModuleModel, ModuleVersionModel } from '../../src/components/modules/models.js';
import { sha256 } from '../../src/components/modules/source.js';

const VALID = path.join(paths.root, 'test', 'fixtures', 'modules-valid');
const BY = { id: null, name: 'test' };

describe('http: publishing modules and serving their files', () => {
  let app: Express;
  let dir: string;
  const lesson = () => path.join(dir, 'samtale-med-barn', 'lessons', '01-lytte.md');
  const moduleMd = () => path.join(dir, 'samtale-med-barn', 'module.md');

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(async () => {
    await clearDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-modules-'));
    cpSync(VALID, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('nextVersion: first = front matter; major when the front matter raises MAJOR, else the next minor; a requested kind decides', () => {
    expect(nextVersion(null, '1.0')).to.deep.equal({ major: 1, minor: 0, kind: 'major' });
    expect(nextVersion({ major: 1, minor: 0 }, '1.0')).to.deep.equal({ major: 1, minor: 1, kind: 'minor' });
    expect(nextVersion({ major: 1, minor: 3 }, '1.9')).to.deep.equal({ major: 1, minor: 4, kind: 'minor' });
    expect(nextVersion({ major: 1, minor: 3 }, '2.0')).to.deep.equal({ major: 2, minor: 0, kind: 'major' });
    expect(nextVersion({ major: 2, minor: 1 }, '1.0')).to.deep.equal({ major: 2, minor: 2, kind: 'minor' });
    expect(nextVersion({ major: 1, minor: 3 }, '1.0', 'major')).to.deep.equal({ major: 2, minor: 0, kind: 'major' });
    expect(nextVersion({ major: 1, minor: 3 }, '5.0', 'minor')).to.deep.equal({ major: 1, minor: 4, kind: 'minor' });
  });

  it('first publish: version 1.0 with rendered lessons, activities, assets by hash and the draft set', async () => {
    const [outcome] = await publishFromFolder(dir, { by: BY, changeNote: 'Første versjon' });
    expect(outcome).to.deep.include({ slug: 'samtale-med-barn', action: 'published', versionId: 'samtale-med-barn@1.0', kind: 'major' });

    const version = await getModuleVersion('samtale-med-barn@1.0');
    expect(version).to.include({ moduleSlug: 'samtale-med-barn', major: 1, minor: 0, kind: 'major', changeNote: 'Første versjon', title: 'Samtale med barn' });
    expect(version!.contentHash).to.match(/^[0-9a-f]{64}$/);
    const lessons = version!.lessons as Array<{ slug: string; html: string; activityIds: string[]; toc: unknown[] }>;
    expect(lessons.map((l) => l.slug)).to.deep.equal(['lytte', 'sporre']);
    expect(lessons[0]!.html).to.contain('<!--activity:film-samtale-->');
    expect(lessons[0]!.activityIds).to.deep.equal(['film-samtale', 'egen-samtale']);
    const activities = version!.activities as Array<{ id: string; kind: string; settings: Record<string, unknown>; view: Record<string, unknown> }>;
    expect(activities.map((a) => a.id)).to.deep.equal(['film-samtale', 'egen-samtale', 'lesson:lytte', 'sjekk-sporsmal', 'lesson:sporre']);
    const quiz = activities.find((a) => a.kind === 'quiz')!;
    expect(JSON.stringify(quiz.settings)).to.contain('"correct":true');
    expect(JSON.stringify(quiz.view)).not.to.contain('correct');

    const png = readFileSync(path.join(VALID, 'samtale-med-barn', 'assets', 'samtale.png'));
    const asset = await ModuleAssetModel.findById(sha256(png)).lean();
    expect(asset).to.include({ contentType: 'image/png', size: png.length });
    expect(await ModuleAssetModel.countDocuments()).to.equal(5);

    const module = await ModuleModel.findById('samtale-med-barn').lean();
    expect(module).to.include({ status: 'active', latestVersionId: 'samtale-med-barn@1.0', latestMajor: 1, latestMinor: 0, revision: 1 });
    expect(module!.draftHash).to.equal(module!.publishedHash);
    expect(module!.draftFiles.map((f) => f.path)).to.include('lessons/01-lytte.md');
    expect(await listCatalogue()).to.deep.equal([{ slug: 'samtale-med-barn', title: 'Samtale med barn', versionId: 'samtale-med-barn@1.0' }]);
  });

  it('unchanged content: nothing is published the second time (also with CRLF line ends)', async () => {
    await publishFromFolder(dir, { by: BY });
    writeFileSync(lesson(), readFileSync(lesson(), 'utf8').replace(/\n/g, '\r\n'));
    const [outcome] = await publishFromFolder(dir, { by: BY });
    expect(outcome).to.deep.include({ action: 'unchanged', versionId: 'samtale-med-barn@1.0' });
    expect(await ModuleVersionModel.countDocuments()).to.equal(1);
  });

  it('changed wording: a minor version 1.1; the old version is still there, unchanged', async () => {
    await publishFromFolder(dir, { by: BY });
    const before = await getModuleVersion('samtale-med-barn@1.0');
    writeFileSync(lesson(), readFileSync(lesson(), 'utf8').replace('Barn har rett til å bli hørt.', 'Alle barn har rett til å bli hørt.'));
    const [outcome] = await publishFromFolder(dir, { by: BY, changeNote: 'Språkvask' });
    expect(outcome).to.deep.include({ action: 'published', versionId: 'samtale-med-barn@1.1', kind: 'minor' });
    expect(await getModuleVersion('samtale-med-barn@1.0')).to.deep.equal(before);
    const latest = await getModuleVersion('samtale-med-barn@1.1');
    expect((latest!.lessons as Array<{ html: string }>)[0]!.html).to.contain('Alle barn har rett');
    expect(await ModuleModel.findById('samtale-med-barn').lean()).to.include({ latestVersionId: 'samtale-med-barn@1.1', latestMinor: 1 });
  });

  it('front matter raised to "2.0": a major version 2.0', async () => {
    await publishFromFolder(dir, { by: BY });
    writeFileSync(moduleMd(), readFileSync(moduleMd(), 'utf8').replace('version: "1.0"', 'version: "2.0"'));
    const [outcome] = await publishFromFolder(dir, { by: BY });
    expect(outcome).to.deep.include({ action: 'published', versionId: 'samtale-med-barn@2.0', kind: 'major' });
  });

  it('a module with problems: not published, problems returned, nothing stored', async () => {
    writeFileSync(lesson(), readFileSync(lesson(), 'utf8').replace('captions: assets/samtale.vtt', 'captions: assets/mangler.vtt'));
    const [outcome] = await publishFromFolder(dir, { by: BY });
    expect(outcome!.action).to.equal('invalid');
    expect(outcome!.problems.map((p) => `${p.file}:${p.line}:${p.code}`)).to.deep.equal(['samtale-med-barn/lessons/01-lytte.md:16:file.missing']);
    expect(await ModuleVersionModel.countDocuments()).to.equal(0);
    expect(await ModuleModel.countDocuments()).to.equal(0);
  });

  it('a browser draft with unpublished changes is kept when the folder publishes a new version', async () => {
    await publishFromFolder(dir, { by: BY });
    await ModuleModel.updateOne({ _id: 'samtale-med-barn' }, { $set: { draftHash: 'changed-in-the-browser' }, $inc: { revision: 1 } });
    writeFileSync(lesson(), readFileSync(lesson(), 'utf8').replace('Barn har rett', 'Barn har alltid rett'));
    const [outcome] = await publishFromFolder(dir, { by: BY });
    expect(outcome).to.deep.include({ action: 'published', draftKept: true });
    expect(await ModuleModel.findById('samtale-med-barn').lean()).to.include({ draftHash: 'changed-in-the-browser', revision: 2 });
  });

  it('versions are immutable: an update is refused', async () => {
    await publishFromFolder(dir, { by: BY });
    let error: Error | undefined;
    try {
      await ModuleVersionModel.updateOne({ _id: 'samtale-med-barn@1.0' }, { $set: { title: 'Endret' } });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/immutable/);
    expect((await getModuleVersion('samtale-med-barn@1.0'))!.title).to.equal('Samtale med barn');
  });

  it('unpublish hides from the catalogue but keeps the versions; archive too', async () => {
    await publishFromFolder(dir, { by: BY });
    await setModuleStatus('samtale-med-barn', 'unpublished');
    expect(await listCatalogue()).to.deep.equal([]);
    expect(await getModuleVersion('samtale-med-barn@1.0')).to.not.equal(null);
    await setModuleStatus('samtale-med-barn', 'archived');
    expect((await ModuleModel.findById('samtale-med-barn').lean())!.status).to.equal('archived');
    await setModuleStatus('samtale-med-barn', 'active');
    expect(await listCatalogue()).to.have.length(1);
  });

  it('the real modules/ folder publishes every module, and a second run changes nothing', async function () {
    this.timeout(120_000);
    const first = await publishFromFolder(paths.modules, { by: BY });
    expect(first.filter((o) => o.action !== 'published').map((o) => `${o.slug}: ${o.action} ${o.problems.map((p) => p.message).join('; ')}`)).to.deep.equal([]);
    const started = Date.now();
    const second = await publishFromFolder(paths.modules, { by: BY });
    expect(second.every((o) => o.action === 'unchanged')).to.equal(true);
    expect(Date.now() - started, 'unchanged modules are only hashed').to.be.below(3000);
  });

  describe('GET /moduler/filer/:hash/:name', () => {
    const file = (name: string) => readFileSync(path.join(VALID, 'samtale-med-barn', 'assets', name));

    beforeEach(async () => {
      await publishFromFolder(dir, { by: BY });
    });

    it('an image: its type, nosniff, a year of immutable caching and a safe inline name', async () => {
      const png = file('samtale.png');
      const res = await request(app).get(`/moduler/filer/${sha256(png)}/samtale.png`).expect(200);
      expect(res.headers['content-type']).to.equal('image/png');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
      expect(res.headers['content-disposition']).to.equal('inline; filename="samtale.png"');
      expect(Buffer.compare(res.body as Buffer, png)).to.equal(0);
    });

    it('an SVG: served under a CSP that runs no script', async () => {
      const svg = file('boble.svg');
      const res = await request(app).get(`/moduler/filer/${sha256(svg)}/boble.svg`).expect(200);
      expect(res.headers['content-type']).to.equal('image/svg+xml');
      expect(res.headers['content-security-policy']).to.contain("default-src 'none'");
      expect(res.headers['content-security-policy']).to.contain('sandbox');
    });

    it('captions as text/vtt; a video answers range requests', async () => {
      const vtt = file('samtale.vtt');
      const captions = await request(app).get(`/moduler/filer/${sha256(vtt)}/samtale.vtt`).expect(200);
      expect(captions.headers['content-type']).to.equal('text/vtt; charset=utf-8');
      const mp4 = file('samtale.mp4');
      const part = await request(app).get(`/moduler/filer/${sha256(mp4)}/samtale.mp4`).set('Range', 'bytes=4-7').expect(206);
      expect(part.headers['content-range']).to.equal(`bytes 4-7/${mp4.length}`);
      expect(Buffer.from(part.body as Buffer).toString('latin1')).to.equal('ftyp');
    });

    it('an unknown hash, a malformed hash, or a name with a path: 404', async () => {
      await request(app).get(`/moduler/filer/${'0'.repeat(64)}/x.png`).expect(404);
      await request(app).get('/moduler/filer/abc/x.png').expect(404);
      const png = file('samtale.png');
      await request(app).get(`/moduler/filer/${sha256(png)}/..%2F..%2Fetc%2Fpasswd`).expect(404);
    });
  });
});
