import { expect } from 'chai';
import type { Express } from 'express';
import { zipSync } from 'fflate';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';
import { publishFromFolder } from '../../../src/components/modules/index.js';
import { ModuleAssetModel, ModuleModel } from '../../../src/components/modules/models.js';
import { checkModuleFile } from '../../../src/components/modules/content-check.js';
import { sha256 } from '../../../src/components/modules/source.js';
import { paths } from '../../../src/config/index.js';

/**
 * Finding 6 of issue 12 and its class: one content check for every way files arrive. The same
 * hostile fixtures go through each path — a single upload, a zip import into a new module, a zip
 * replacing a draft, and the check before publishing a draft that already holds them (as old data
 * would) — and each path refuses every one of them, storing nothing a browser could fetch.
 */

const SLUG = 'samtale-med-barn';
const BASE = `/forfatter/moduler/${SLUG}`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201f0c3c8a30000000049454e44ae426082', 'hex');

/** Files no path may accept, by where they would go in the module folder. */
const HOSTILE: Array<{ label: string; path: string; data: Buffer }> = [
  { label: 'SVG with <script>', path: 'assets/tegning.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
  { label: 'SVG with onload', path: 'assets/ring.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>') },
  { label: 'HTML named .png', path: 'assets/bilde.png', data: Buffer.from('<!doctype html><script>alert(1)</script>') },
  { label: 'a stray page.html in assets/', path: 'assets/page.html', data: Buffer.from('<!doctype html><h1>hei</h1>') },
  { label: 'a stray page.html at the top', path: 'page.html', data: Buffer.from('<!doctype html><h1>hei</h1>') },
  { label: 'a script in lessons/', path: 'lessons/skript.js', data: Buffer.from('alert(1)') },
];

describe('adversarial: one content check for every way module files arrive', function () {
  this.timeout(120_000);
  let app: Express;
  let author: Agent;
  let token: string;
  let revision: number;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(async () => {
    await clearDatabase();
    await publishFromFolder(`${paths.root}/test/fixtures/modules-valid`, { by: { id: null, name: 'Git' } });
    author = await signIn(app, (await createUser({ name: 'Astrid Forfatter', roles: ['author'] })).email);
    const page = await author.get(BASE).expect(200);
    token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    revision = Number(/name="revision" value="(\d+)"/.exec(page.text)![1]);
  });

  const stored = async (data: Buffer) => !!(await ModuleAssetModel.findById(sha256(data)).lean());
  const folder = async () => (await ModuleModel.findById(SLUG).lean())!.draftFiles.map((f) => ({ path: f.path, text: f.text ?? null }));

  it('the check itself refuses every fixture and accepts a real picture', () => {
    expect(HOSTILE.filter((f) => checkModuleFile(f.path, f.data) === null).map((f) => f.label)).to.deep.equal([]);
    expect(checkModuleFile('assets/bilde.png', PNG)).to.equal(null);
  });

  for (const file of HOSTILE) {
    it(`${file.label}: refused by upload, by zip import (new and replacing) and by the publish check; nothing stored`, async () => {
      const problems: string[] = [];
      // 1. A single upload (only assets can be uploaded; the name is what the browser sent).
      if (file.path.startsWith('assets/')) {
        const res = await author.post(`${BASE}/filer?_csrf=${encodeURIComponent(token)}`).field('revision', String(revision)).attach('file', file.data, { filename: file.path.slice(7) });
        if (res.status !== 400) problems.push(`upload: ${res.status}`);
      }
      // 2. A zip replacing the draft: the current draft plus the file.
      const draft = await folder();
      const entries: Record<string, Uint8Array> = {};
      for (const f of draft) if (f.text !== null) entries[`${SLUG}/${f.path}`] = new TextEncoder().encode(f.text);
      entries[`${SLUG}/${file.path}`] = new Uint8Array(file.data);
      const zip = Buffer.from(zipSync(entries));
      const replaced = await author.post(`${BASE}/importer?_csrf=${encodeURIComponent(token)}`).field('revision', String(revision)).attach('zip', zip, { filename: 'modul.zip' });
      if (replaced.status !== 400) problems.push(`zip replacing the draft: ${replaced.status}`);
      else if (!replaced.text.includes('Zip-filen inneholder filer som ikke er tillatt')) problems.push('zip replacing the draft: no clear message');
      if (JSON.stringify(await folder()) !== JSON.stringify(draft)) problems.push('zip replacing the draft: the draft changed');
      // 3. A zip importing a new module.
      const renamed = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k.replace(`${SLUG}/`, 'ny-modul/'), v]));
      const created = await author.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(token)}`).attach('zip', Buffer.from(zipSync(renamed)), { filename: 'ny.zip' });
      if (created.status !== 400) problems.push(`zip import of a new module: ${created.status}`);
      if (await ModuleModel.exists({ _id: 'ny-modul' })) problems.push('zip import of a new module: the module was created');
      if (await stored(file.data)) problems.push('the file was stored (and so served by its hash)');

      // 4. A draft that already holds the file (data from before this check existed): publishing refuses it.
      await ModuleAssetModel.create({ _id: sha256(file.data), data: file.data, size: file.data.length, contentType: 'application/octet-stream', createdAt: new Date() });
      await ModuleModel.updateOne({ _id: SLUG }, { $push: { draftFiles: { path: file.path, text: null, sha256: sha256(file.data), size: file.data.length } }, $set: { draftHash: 'changed' } });
      const page = await author.get(`${BASE}/publiser`);
      const rev = Number(/name="revision" value="(\d+)"/.exec(page.text)?.[1] ?? revision);
      const published = await author.post(`${BASE}/publiser`).type('form').send({ _csrf: token, revision: String(rev), kind: 'minor', changeNote: 'Prøver' });
      if (published.status < 400) problems.push(`publish with the file in the draft: ${published.status}`);
      expect(problems).to.deep.equal([]);
    });
  }
});
