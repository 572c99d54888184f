import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { learnerSignedIn } from '../helpers/setup.js';
import type { Agent } from '../helpers/auth.js';
import { GLOSSARY_EXPLANATION, LESSON2_SUMMARY } from '../helpers/learning-fixture.js';

/** Issue 16, reading support on the learner's pages: "Kort fortalt", word explanations, the glossary page, the review trail. */

describe('http: reading support – summary, word explanations, glossary page, review trail', function () {
  this.timeout(60_000);
  let app: Express;
  let agent: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ agent } = await learnerSignedIn(app));
  });

  it('a lesson with a summary starts with a "Kort fortalt" box; a lesson without one has none', async () => {
    const withSummary = (await agent.get('/moduler/samtaler/sporre').expect(200)).text;
    expect(withSummary).to.match(new RegExp(`<section class="summary-box" aria-labelledby="summary-heading" data-read-aloud>\\s*<h2 id="summary-heading">Kort fortalt</h2>\\s*<p>${LESSON2_SUMMARY}</p>`));
    // Before the lesson text and its first heading.
    expect(withSummary.indexOf('summary-box')).to.be.below(withSummary.indexOf('class="lesson-content'));
    const without = (await agent.get('/moduler/samtaler/lytte').expect(200)).text;
    expect(without).not.to.contain('summary-box');
    const english = (await agent.get('/moduler/samtaler/sporre?lang=en').expect(200)).text;
    expect(english).to.contain('<h2 id="summary-heading">In brief</h2>');
  });

  it('the first use of a glossary term in a lesson links to the glossary with its explanation inside the paragraph; headings and later uses are left alone', async () => {
    const html = (await agent.get('/moduler/samtaler/sporre').expect(200)).text;
    const explained = `<p><a class="term" href="ordliste#ord-apne-sporsmal">Åpne spørsmål</a><span class="term-explanation"> (${GLOSSARY_EXPLANATION})</span> gir barnet plass.</p>`;
    expect(html).to.contain(explained);
    expect(html.split('class="term"').length - 1).to.equal(1);
    expect(html).to.contain('>Åpne spørsmål</h2>');
    // The link resolves: the glossary page has the anchor.
    const glossary = await agent.get('/moduler/samtaler/ordliste').expect(200);
    expect(glossary.text).to.match(/<div id="ord-apne-sporsmal" class="glossary-entry">\s*<dt><dfn>åpne spørsmål<\/dfn><\/dt>/);
    expect(glossary.text).to.contain(GLOSSARY_EXPLANATION).and.to.contain('Andre former:</span> åpent spørsmål');
  });

  it('the module page shows the subject owner, the review dates and a link to the glossary', async () => {
    const html = (await agent.get('/moduler/samtaler/').expect(200)).text;
    expect(html).to.match(/<dt>Fagansvarlig<\/dt><dd>Fellesskap redaksjon, fagansvarlig PPT<\/dd>/);
    expect(html).to.match(/<dt>Faglig gjennomgått<\/dt><dd><time datetime="2026-11-20">20\. november 2026<\/time><\/dd>/);
    expect(html).to.match(/<dt>Lovhenvisninger kontrollert<\/dt><dd><time datetime="2026-11-19">19\. november 2026<\/time><\/dd>/);
    expect(html).to.contain('<a href="/moduler/samtaler/ordliste">Ordliste: ord som forklares i modulen</a>');
  });

  it('glossary page: 404 for a module that does not exist, the login page for someone not signed in, nynorsk text in nynorsk', async () => {
    await agent.get('/moduler/finnes-ikke/ordliste').expect(404);
    const anonymous = await request(app).get('/moduler/samtaler/ordliste');
    expect(anonymous.status).to.equal(302);
    expect(anonymous.headers.location).to.match(/^\/logg-inn/);
    expect((await agent.get('/moduler/samtaler/ordliste?lang=nn').expect(200)).text).to.contain('Ord som blir forklarte i modulen');
  });
});
