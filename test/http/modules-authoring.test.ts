import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { unzipSync, zipSync } from 'fflate';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { PNG } from '../helpers/module-source.js';
import { paths } from '../../src/config/index.js';
import { publishFromFolder } from '../../src/components/modules/index.js';
import { ModuleAssetModel, ModuleModel, ModuleVersionModel } from '../../src/components/modules/models.js';
import { sha256 } from '../../src/components/modules/source.js';

const VALID = path.join(paths.root, 'test', 'fixtures', 'modules-valid');
const SLUG = 'samtale-med-barn';
const BASE = `/forfatter/moduler/${SLUG}`;
const LESSON = `${BASE}/leksjoner/01-lytte.md`;

/** The hidden revision of the first form on a page. */
function revisionOn(html: string): number {
  const value = /name="revision" value="(\d+)"/.exec(html)?.[1];
  expect(value, 'revision field').to.be.a('string');
  return Number(value);
}

function textareaOn(html: string, id: string): string {
  const match = new RegExp(`<textarea id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  expect(match, `textarea #${id}`).to.not.equal(null);
  return match![1]!.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function draftText(file: string): Promise<string> {
  const module = await ModuleModel.findById(SLUG).lean();
  return module!.draftFiles.find((f) => f.path === file)?.text ?? '';
}

describe('http: authoring modules in the browser', function () {
  this.timeout(60_000);
  let app: Express;
  let author: Agent;
  let otherAuthor: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    const a = await createUser({ name: 'Astrid Forfatter', roles: ['author'] });
    const b = await createUser({ name: 'Bjørn Forfatter', roles: ['author'] });
    author = await signIn(app, a.email);
    otherAuthor = await signIn(app, b.email);
  });

  /** Posts a form with the agent's CSRF token and checks the status (showing the page when it differs). */
  async function post(agent: Agent, url: string, form: Record<string, string | string[]>, status: number, tokenPage = '/forfatter/moduler') {
    const res = await agent.post(url).type('form').send({ _csrf: await csrfToken(agent, tokenPage), ...form });
    expect(res.status, `POST ${url}: ${res.text.slice(0, 300)}`).to.equal(status);
    return res;
  }

  describe('who may author', () => {
    it('anonymous: sent to the login page', async () => {
      const res = await request(app).get('/forfatter/moduler').expect(302);
      expect(res.headers.location).to.match(/^\/logg-inn\?returnTo=%2Fforfatter%2Fmoduler/);
    });

    it('staff without the author role: 403', async () => {
      const staff = await signIn(app, (await createUser()).email);
      await staff.get('/forfatter/moduler').expect(403);
      await staff.get(`${BASE}/eksport`).expect(403);
    });

    it('an author: 200, and the menu has the authoring entry', async () => {
      const res = await author.get('/forfatter/moduler').expect(200);
      expect(res.text).to.contain('<h1>Moduler</h1>');
      expect(res.text).to.match(/<a href="\/forfatter\/moduler"[^>]*>Forfatter<\/a>/);
    });
  });

  describe('creating a module', () => {
    it('creates a draft with module.md and a first lesson, and lists its problems in Norwegian', async () => {
      const res = await post(author, '/forfatter/moduler', { title: 'Trygt miljø', slug: 'trygt-miljo' }, 303);
      expect(res.headers.location).to.equal('/forfatter/moduler/trygt-miljo');
      const stored = await ModuleModel.findById('trygt-miljo').lean();
      expect(stored).to.include({ title: 'Trygt miljø', revision: 1, latestVersionId: null });
      expect(stored!.draftFiles.map((f) => f.path)).to.deep.equal(['lessons/01-innledning.md', 'module.md']);
      expect(stored!.draftUpdatedBy).to.deep.include({ name: 'Astrid Forfatter' });

      const page = await author.get('/forfatter/moduler/trygt-miljo').expect(200);
      expect(page.text).to.contain('Utkast, ikke publisert');
      expect(page.text).to.contain('«summary» må fylles ut.');
      const list = await author.get('/forfatter/moduler').expect(200);
      expect(list.text).to.contain('Trygt miljø');
    });

    it('an invalid slug: 400 with the reason next to the field, nothing stored', async () => {
      const res = await post(author, '/forfatter/moduler', { title: 'Trygt miljø', slug: 'Trygt Miljø!' }, 400);
      expect(res.text).to.contain('Kortnavnet kan bare ha små bokstaver');
      expect(res.text).to.contain('value="Trygt Miljø!"');
      expect(await ModuleModel.countDocuments()).to.equal(0);
    });

    it('a slug that is taken: 409, the existing module unchanged', async () => {
      await post(author, '/forfatter/moduler', { title: 'Første', slug: 'samme' }, 303);
      const res = await post(otherAuthor, '/forfatter/moduler', { title: 'Andre', slug: 'samme' }, 409);
      expect(res.text).to.contain('Det finnes allerede en modul med dette kortnavnet.');
      expect((await ModuleModel.findById('samme').lean())!.title).to.equal('Første');
    });
  });

  describe('settings', () => {
    it('saving writes module.md from the fields; problems appear next to their field', async () => {
      await post(author, '/forfatter/moduler', { title: 'Trygt miljø', slug: 'trygt-miljo' }, 303);
      const form = await author.get('/forfatter/moduler/trygt-miljo/innstillinger').expect(200);
      const res = await post(author, '/forfatter/moduler/trygt-miljo/innstillinger', {
        revision: String(revisionOn(form.text)),
        title: 'Trygt miljø',
        summary: 'Hvordan de voksne skaper et trygt miljø.',
        audience: ['barnehage', 'skole'],
        themes: 'inkludering',
        measures: '3',
        minutes: 'mange',
        language: 'nb',
        authors: 'Astrid Forfatter',
        license: 'CC-BY-4.0',
        goals: 'Første mål\nAndre mål',
        sources: 'Barnehageloven',
        introduction: 'Velkommen.',
      }, 303);
      expect(res.headers.location).to.equal('/forfatter/moduler/trygt-miljo/innstillinger?lagret=1');
      const moduleMd = (await ModuleModel.findById('trygt-miljo').lean())!.draftFiles.find((f) => f.path === 'module.md')!.text!;
      expect(moduleMd).to.contain('audience:\n  - barnehage\n  - skole');
      expect(moduleMd).to.contain('version: "1.0"');
      expect(moduleMd).to.contain('goals:\n  - Første mål\n  - Andre mål');
      expect(moduleMd).to.match(/---\n\nVelkommen\.\n$/);

      const page = await author.get(String(res.headers.location)).expect(200);
      expect(page.text).to.contain('Innstillingene er lagret, men 1 ting må rettes');
      expect(page.text).to.match(/<span class="field-error" id="minutes-error">\s*«minutes» har feil type\.\s*<\/span>/);
      expect(page.text).to.contain('aria-describedby="minutes-error" aria-invalid="true"');
    });

    it('the review trail is written from its fields; a date that is not one is shown by its field; saving again keeps what the form does not show', async () => {
      await post(author, '/forfatter/moduler', { title: 'Trygt miljø', slug: 'trygt-miljo' }, 303);
      const moduleMd = async () => (await ModuleModel.findById('trygt-miljo').lean())!.draftFiles.find((f) => f.path === 'module.md')!.text!;
      // A key the form has no field for, as a module from Git has (a glossary).
      const glossary = 'glossary:\n  - term: medvirkning\n    explanation: Å få være med på å bestemme.\n';
      const stored = (await ModuleModel.findById('trygt-miljo').lean())!;
      const draftFiles = stored.draftFiles.map((f) => (f.path === 'module.md' ? { ...f, text: f.text!.replace(/\n---\n/, `\n${glossary}---\n`) } : f));
      await ModuleModel.updateOne({ _id: 'trygt-miljo' }, { $set: { draftFiles } });
      const fields = (page: string) => ({
        revision: String(revisionOn(page)),
        title: 'Trygt miljø',
        summary: 'Hvordan de voksne skaper et trygt miljø.',
        audience: 'barnehage',
        themes: 'inkludering',
        measures: '3',
        minutes: '30',
        language: 'nb',
        authors: 'Astrid Forfatter',
        license: 'CC-BY-4.0',
        goals: 'Et mål',
        sources: 'Barnehageloven',
        owner: 'Fellesskap redaksjon, fagansvarlig PPT',
        reviewed: '2026-31-12',
        legalCheck: '2026-12-01',
        introduction: 'Velkommen.',
      });
      let form = await author.get('/forfatter/moduler/trygt-miljo/innstillinger').expect(200);
      expect(form.text).to.contain('<label for="owner">Faglig ansvarlig</label>');
      await post(author, '/forfatter/moduler/trygt-miljo/innstillinger', fields(form.text), 303);
      expect(await moduleMd()).to.contain('owner: Fellesskap redaksjon, fagansvarlig PPT');
      expect(await moduleMd()).to.contain('legalCheck: 2026-12-01');
      expect(await moduleMd()).to.contain(glossary);
      form = await author.get('/forfatter/moduler/trygt-miljo/innstillinger?lagret=1').expect(200);
      expect(form.text).to.match(/id="reviewed-error"/);
      expect(form.text).to.contain('value="2026-31-12"');
      await post(author, '/forfatter/moduler/trygt-miljo/innstillinger', { ...fields(form.text), reviewed: '2026-12-31' }, 303);
      expect(await moduleMd()).to.contain('reviewed: 2026-12-31');
      expect(await moduleMd(), 'saved twice, the glossary is still there').to.contain(glossary);
    });
  });

  describe('the lesson editor', () => {
    beforeEach(async () => {
      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
    });

    it('saves the text; the page works without JavaScript and offers the live-preview script', async () => {
      const page = await author.get(LESSON).expect(200);
      expect(page.text).to.contain('<label for="lesson-text">');
      expect(page.text).to.match(/<script src="\/static\/js\/authoring-preview\.js\?v=[0-9a-f]{12}" defer><\/script>/);
      const text = textareaOn(page.text, 'lesson-text').replace('Barn har rett til å bli hørt.', 'Alle barn har rett til å bli hørt.');
      const res = await post(author, LESSON, { revision: String(revisionOn(page.text)), text }, 303, LESSON);
      expect(res.headers.location).to.equal(`${LESSON}?lagret=1`);
      expect(await draftText('lessons/01-lytte.md')).to.contain('Alle barn har rett');
      const modules = await author.get('/forfatter/moduler').expect(200);
      expect(modules.text).to.contain('Utkast nyere enn publisert v1.0');
    });

    it('two authors save the same revision: the second gets 409, their text kept on screen, nothing overwritten', async () => {
      const pageA = await author.get(LESSON).expect(200);
      const pageB = await otherAuthor.get(LESSON).expect(200);
      const revision = String(revisionOn(pageA.text));
      expect(revisionOn(pageB.text)).to.equal(Number(revision));
      const original = textareaOn(pageA.text, 'lesson-text');

      await post(author, LESSON, { revision, text: original.replace('Barn har rett', 'ASTRIDS ENDRING: Barn har rett') }, 303, LESSON);
      const second = await post(otherAuthor, LESSON, { revision, text: original.replace('Barn har rett', 'BJØRNS ENDRING: Barn har rett') }, 409, LESSON);

      expect(second.text).to.contain('Ikke lagret: noen andre har endret modulen samtidig med deg.');
      expect(second.text).to.contain('Astrid Forfatter lagret en endring mens du skrev.');
      expect(textareaOn(second.text, 'lesson-text')).to.contain('BJØRNS ENDRING');
      expect(textareaOn(second.text, 'saved-text')).to.contain('ASTRIDS ENDRING');
      const stored = await draftText('lessons/01-lytte.md');
      expect(stored).to.contain('ASTRIDS ENDRING');
      expect(stored).not.to.contain('BJØRNS ENDRING');
      expect((await ModuleModel.findById(SLUG).lean())!.revision).to.equal(Number(revision) + 1);
    });

    it('unsafe Markdown is saved as text but rendered inert, and each problem is shown with its line', async () => {
      const page = await author.get(LESSON).expect(200);
      const text = '---\ntitle: Å lytte\n---\n\n## Farlig\n\n<script>alert(1)</script>\n\n[klikk](javascript:alert(document.cookie))\n\n<img src=x onerror=alert(1)>\n';
      await post(author, LESSON, { revision: String(revisionOn(page.text)), text }, 303, LESSON);
      const editor = await author.get(`${LESSON}?lagret=1`).expect(200);
      // The line number links to the editor (where the script moves the cursor to it).
      expect(editor.text).to.contain('<a href="#lesson-text" data-goto-line="9">linje 9</a>:');
      expect(editor.text).to.contain('Lenken til «javascript:alert(document.cookie)» er ikke tillatt.');
      const preview = await author.get(`${BASE}/forhandsvis/lytte`).expect(200);
      expect(preview.text).not.to.match(/<script>alert|href="javascript:|<img src="?x/);
      expect(preview.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('---js front matter is refused and never run', async () => {
      const page = await author.get(LESSON).expect(200);
      const text = "---js\n{ title: (function () { require('fs').writeFileSync('/tmp/fellesskap-authoring-pwned', 'x'); return 'x'; })() }\n---\n\nTekst.\n";
      await post(author, LESSON, { revision: String(revisionOn(page.text)), text }, 303, LESSON);
      const editor = await author.get(LESSON).expect(200);
      expect(editor.text).to.contain('«---js» er ikke tillatt, og kode blir aldri kjørt.');
      const { existsSync } = await import('node:fs');
      expect(existsSync('/tmp/fellesskap-authoring-pwned')).to.equal(false);
    });

    it('live preview: the unsaved text rendered with the activity partials, problems with lines, nothing saved', async () => {
      const page = await author.get(LESSON).expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const before = await draftText('lessons/01-lytte.md');
      const text = '---\ntitle: Å lytte\n---\n\n## Ny tekst\n\n```reflection\nid: ny-refleksjon\nprompt: Hva tenker du?\n```\n\n![](mangler.png)\n';
      const res = await author
        .post(`${LESSON}/forhandsvisning`)
        .set('X-CSRF-Token', token)
        .set('Accept', 'application/json')
        .send({ text })
        .expect(200)
        .expect('Content-Type', /json/);
      expect(res.body.html).to.contain('<h2 id="h-ny-tekst">Ny tekst</h2>');
      expect(res.body.html).to.contain('class="activity activity-reflection"');
      expect(res.body.html).to.match(/<fieldset class="plain" disabled>/);
      expect(res.body.problems.map((p: { line: number }) => p.line)).to.deep.equal([12, 12]);
      expect(await draftText('lessons/01-lytte.md')).to.equal(before);
    });

    it('live preview without the CSRF token: 403', async () => {
      await author.post(`${LESSON}/forhandsvisning`).set('Accept', 'application/json').send({ text: 'x' }).expect(403);
    });

    it('lessons can be added, moved and removed; files are renumbered without gaps', async () => {
      let page = await author.get(BASE).expect(200);
      await post(author, `${BASE}/leksjoner`, { revision: String(revisionOn(page.text)), title: 'Å avslutte' }, 303, BASE);
      page = await author.get(BASE).expect(200);
      await post(author, `${BASE}/leksjoner/03-a-avslutte.md/flytt`, { revision: String(revisionOn(page.text)), direction: 'up' }, 303, BASE);
      let files = (await ModuleModel.findById(SLUG).lean())!.draftFiles.filter((f) => f.path.startsWith('lessons/')).map((f) => f.path);
      expect(files).to.deep.equal(['lessons/01-lytte.md', 'lessons/02-a-avslutte.md', 'lessons/03-sporre.md']);
      page = await author.get(BASE).expect(200);
      await post(author, `${BASE}/leksjoner/01-lytte.md/slett`, { revision: String(revisionOn(page.text)) }, 303, BASE);
      files = (await ModuleModel.findById(SLUG).lean())!.draftFiles.filter((f) => f.path.startsWith('lessons/')).map((f) => f.path);
      expect(files).to.deep.equal(['lessons/01-a-avslutte.md', 'lessons/02-sporre.md']);
    });
  });

  describe('uploading files', () => {
    let revision: number;
    let token: string;
    beforeEach(async () => {
      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
      const page = await author.get(BASE).expect(200);
      revision = revisionOn(page.text);
      token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    });
    const upload = (name: string, data: Buffer) =>
      author.post(`${BASE}/filer?_csrf=${encodeURIComponent(token)}`).field('revision', String(revision)).attach('file', data, { filename: name });

    it('a picture: stored by its hash and added to assets/', async () => {
      await upload('Barn på tur.png', PNG).expect(303);
      expect(await ModuleAssetModel.findById(sha256(PNG)).lean()).to.include({ contentType: 'image/png' });
      const files = (await ModuleModel.findById(SLUG).lean())!.draftFiles.map((f) => f.path);
      expect(files).to.include('assets/Barn-pa-tur.png');
    });

    it('a path in the file name: only the last part is used, never a path out of assets/', async () => {
      await upload('../../../etc/passwd.png', PNG).expect(303);
      const files = (await ModuleModel.findById(SLUG).lean())!.draftFiles.map((f) => f.path);
      expect(files).to.include('assets/passwd.png');
      expect(files.filter((f) => f.includes('..'))).to.deep.equal([]);
    });

    it('a file type that is not allowed: 400 and nothing stored', async () => {
      const before = await ModuleAssetModel.countDocuments();
      const res = await upload('program.exe', Buffer.from('MZ\x90\x00')).expect(400);
      expect(res.text).to.contain('Denne filtypen er ikke tillatt.');
      expect(await ModuleAssetModel.countDocuments()).to.equal(before);
    });

    it('HTML disguised as a picture: refused by its content', async () => {
      const res = await upload('bilde.png', Buffer.from('<html><script>alert(1)</script></html>')).expect(400);
      expect(res.text).to.contain('Filen inneholder ikke det filtypen sier.');
      expect((await ModuleModel.findById(SLUG).lean())!.draftFiles.map((f) => f.path)).not.to.include('assets/bilde.png');
    });

    it('an SVG with script: refused', async () => {
      await upload('tegning.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')).expect(400);
    });

    it('a file over 15 MB: 413, nothing stored', async () => {
      const before = await ModuleAssetModel.countDocuments();
      await upload('stor.png', Buffer.concat([PNG, Buffer.alloc(15 * 1024 * 1024 + 1)])).expect(413);
      expect(await ModuleAssetModel.countDocuments()).to.equal(before);
    });

    it('without the CSRF token in the URL: 403', async () => {
      await author.post(`${BASE}/filer`).field('revision', String(revision)).attach('file', PNG, { filename: 'a.png' }).expect(403);
    });
  });

  describe('publishing, history and diff', () => {
    it('first version, then minor and major; the history says who and when; a diff shows the changed lines', async () => {
      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
      // Minor: a wording change.
      let page = await author.get(LESSON).expect(200);
      const text = textareaOn(page.text, 'lesson-text').replace('Barn har rett til å bli hørt.', 'Alle barn har rett til å bli hørt.');
      await post(author, LESSON, { revision: String(revisionOn(page.text)), text }, 303, LESSON);
      page = await author.get(`${BASE}/publiser`).expect(200);
      expect(page.text).to.contain('Liten endring: versjon 1.1');
      expect(page.text).to.contain('Stor endring: versjon 2.0');
      const res = await post(author, `${BASE}/publiser`, { revision: String(revisionOn(page.text)), kind: 'minor', changeNote: 'Språkvask' }, 303);
      expect(res.headers.location).to.equal(`${BASE}/versjoner?publisert=${encodeURIComponent(`${SLUG}@1.1`)}`);
      const minor = await ModuleVersionModel.findById(`${SLUG}@1.1`).lean();
      expect(minor).to.deep.include({ kind: 'minor', changeNote: 'Språkvask' });
      expect(minor!.publishedBy).to.deep.include({ name: 'Astrid Forfatter' });
      expect(minor!.files.find((f) => f.path === 'module.md')!.text).to.contain('version: "1.1"');

      // Nothing changed since: nothing to publish.
      page = await author.get(`${BASE}/publiser`).expect(200);
      expect(page.text).to.contain('Det er ingenting nytt å publisere.');

      // Major: new substance.
      page = await author.get(LESSON).expect(200);
      await post(author, LESSON, { revision: String(revisionOn(page.text)), text: textareaOn(page.text, 'lesson-text') + '\n## Nytt avsnitt\n\nHelt nytt innhold.\n' }, 303, LESSON);
      page = await author.get(`${BASE}/publiser`).expect(200);
      await post(author, `${BASE}/publiser`, { revision: String(revisionOn(page.text)), kind: 'major', changeNote: 'Nytt avsnitt' }, 303);
      expect(await ModuleVersionModel.findById(`${SLUG}@2.0`).lean()).to.deep.include({ kind: 'major' });
      expect(await ModuleModel.findById(SLUG).lean()).to.include({ latestVersionId: `${SLUG}@2.0` });

      const history = await author.get(`${BASE}/versjoner`).expect(200);
      expect(history.text).to.match(/<th scope="row">2\.0<\/th>\s*<td>Stor endring<\/td>/);
      expect(history.text).to.contain('Astrid Forfatter');
      expect(history.text).to.contain('Git');
      expect(history.text).to.contain('Språkvask');

      const diff = await author.get(`${BASE}/versjoner/sammenlign?fra=1.0&til=1.1`).expect(200);
      expect(diff.text).to.match(/<del><span class="visually-hidden">Fjernet: <\/span>Barn har rett til å bli hørt\./);
      expect(diff.text).to.match(/<ins><span class="visually-hidden">Lagt til: <\/span>Alle barn har rett til å bli hørt\./);
    });

    it('a draft with problems cannot be published; a stale revision is refused; a change note is required', async () => {
      await post(author, '/forfatter/moduler', { title: 'Trygt miljø', slug: 'trygt-miljo' }, 303);
      const page = await author.get('/forfatter/moduler/trygt-miljo/publiser').expect(200);
      expect(page.text).to.contain('Utkastet kan ikke publiseres ennå.');
      await post(author, '/forfatter/moduler/trygt-miljo/publiser', { revision: '1', kind: 'major', changeNote: 'Første' }, 400);
      expect(await ModuleVersionModel.countDocuments()).to.equal(0);

      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
      const lesson = await author.get(LESSON).expect(200);
      const revision = revisionOn(lesson.text);
      await post(author, LESSON, { revision: String(revision), text: textareaOn(lesson.text, 'lesson-text') + '\nMer.\n' }, 303, LESSON);
      await post(author, `${BASE}/publiser`, { revision: String(revision), kind: 'minor', changeNote: 'Gammel revisjon' }, 409);
      await post(author, `${BASE}/publiser`, { revision: String(revision + 1), kind: 'minor', changeNote: '' }, 400);
      expect(await ModuleVersionModel.countDocuments()).to.equal(1);
    });

    it('unpublish and archive: an archived module cannot be edited', async () => {
      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
      await post(author, `${BASE}/status`, { status: 'archived' }, 303);
      const page = await author.get(LESSON).expect(200);
      const res = await post(author, LESSON, { revision: String(revisionOn(page.text)), text: 'x' }, 409, LESSON);
      expect(res.text).to.contain('Ikke lagret');
      expect((await ModuleModel.findById(SLUG).lean())!.status).to.equal('archived');
    });
  });

  describe('export and import', () => {
    it('export: a zip of the same folder format; import into a new module gives the same draft', async () => {
      await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
      const res = await author.get(`${BASE}/eksport`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(res.headers['content-type']).to.equal('application/zip');
      expect(res.headers['content-disposition']).to.equal(`attachment; filename="${SLUG}.zip"`);
      const entries = unzipSync(new Uint8Array(res.body as Buffer));
      expect(Object.keys(entries).sort()).to.deep.equal([
        `${SLUG}/assets/boble.svg`,
        `${SLUG}/assets/samtale.md`,
        `${SLUG}/assets/samtale.mp4`,
        `${SLUG}/assets/samtale.png`,
        `${SLUG}/assets/samtale.vtt`,
        `${SLUG}/lessons/01-lytte.md`,
        `${SLUG}/lessons/02-sporre.md`,
        `${SLUG}/module.md`,
      ]);

      // The same files under another folder name become a new module.
      const renamed = Object.fromEntries(Object.entries(entries).map(([name, data]) => [name.replace(`${SLUG}/`, 'kopi-av-samtale/'), data]));
      const page = await author.get('/forfatter/moduler').expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      await author.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(token)}`).attach('zip', Buffer.from(zipSync(renamed)), { filename: 'kopi.zip' }).expect(303);
      const copy = await ModuleModel.findById('kopi-av-samtale').lean();
      const original = await ModuleModel.findById(SLUG).lean();
      expect(copy!.draftHash).to.equal(original!.draftHash);
      const overview = await author.get('/forfatter/moduler/kopi-av-samtale').expect(200);
      expect(overview.text).to.contain('Ingen problemer');
    });

    it('zip-slip: a zip with ../ paths is refused and nothing is created', async () => {
      const page = await author.get('/forfatter/moduler').expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const evil = zipSync({ 'ond/module.md': new TextEncoder().encode('---\n---\n'), 'ond/../../../../tmp/evil.md': new TextEncoder().encode('x') });
      const res = await author.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(token)}`).attach('zip', Buffer.from(evil), { filename: 'ond.zip' }).expect(400);
      expect(res.text).to.contain('filnavn som peker ut av mappen');
      expect(await ModuleModel.countDocuments()).to.equal(0);
    });

    it('zip bomb: an entry whose header lies about its size is stopped while inflating', async () => {
      const page = await author.get('/forfatter/moduler').expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const bomb = Buffer.from(zipSync({ 'bombe/module.md': new Uint8Array(8 * 1024 * 1024) }, { level: 9 }));
      // Claim 10 bytes uncompressed in the local header (offset 22) and the central directory (offset 24).
      bomb.writeUInt32LE(10, 22);
      const central = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      bomb.writeUInt32LE(10, central + 24);
      expect(bomb.length).to.be.below(64 * 1024);
      const res = await author.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(token)}`).attach('zip', bomb, { filename: 'bombe.zip' }).expect(400);
      expect(res.text).to.contain('En fil i zip-filen er for stor');
      expect(await ModuleModel.countDocuments()).to.equal(0);
    });
  });
});
