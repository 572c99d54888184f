import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { signIn } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';
import { seedDemoOrganisation } from '../../src/components/organisation/index.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../../src/components/accounts/index.js';
import { DEMO_NETWORK, seedDemoNetwork } from '../../src/components/networks/index.js';
import { createLogger } from '../../src/lib/logger.js';

describe('seed: the demo learning network', function () {
  this.timeout(60_000);
  let app: Express;
  const logger = createLogger('silent');
  const networks = () => mongoose.connection.db!.collection<{ _id: string; unitIds: string[]; participants: unknown[]; status: string }>('networks');
  const gatherings = () => mongoose.connection.db!.collection<{ _id: string; programme: { moduleSlug: string } | null; attendance: { present: string[]; roster: unknown[] } | null }>('network_gatherings');

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    await seedDemoOrganisation();
    await seedDemoUsers();
    await publishFixture({ slug: DEMO_NETWORK.planned.moduleSlug });
  });

  it('creates one network of five units with two gatherings (one held with attendance, one planned with a programme), once', async () => {
    expect(await seedDemoNetwork(logger)).to.equal(true);
    expect(await seedDemoNetwork(logger), 'idempotent').to.equal(false);

    expect(await networks().countDocuments()).to.equal(1);
    const network = await networks().findOne({ _id: DEMO_NETWORK.id });
    expect(network!.status).to.equal('open');
    expect(network!.unitIds).to.have.length(5);
    expect(network!.participants).to.have.length(3);
    expect(await gatherings().countDocuments()).to.equal(2);
    const held = await gatherings().findOne({ _id: DEMO_NETWORK.held.id });
    expect(held!.attendance!.present).to.have.length(2);
    expect(held!.attendance!.roster).to.have.length(3);
    const planned = await gatherings().findOne({ _id: DEMO_NETWORK.planned.id });
    expect(planned!.attendance).to.equal(null);
    expect(planned!.programme!.moduleSlug).to.equal(DEMO_NETWORK.planned.moduleSlug);
  });

  it('Ola sees what he missed and what comes next on Mine kurs; the coordinator sees the network with both gatherings', async () => {
    await seedDemoNetwork(logger);

    const ola = await signIn(app, 'ansatt2@fellesskap.example', DEMO_PASSWORD);
    const mine = await ola.get('/mine-kurs').expect(200);
    expect(mine.text).to.contain(`Du var ikke med på samlingen «${DEMO_NETWORK.held.title}»`).and.to.contain(DEMO_NETWORK.planned.title);
    const coordinator = await signIn(app, DEMO_NETWORK.coordinatorEmail, DEMO_PASSWORD);
    const page = await coordinator.get(`/nettverk/${DEMO_NETWORK.id}`).expect(200);
    expect(page.text).to.contain(DEMO_NETWORK.held.title).and.to.contain(DEMO_NETWORK.planned.title).and.to.contain('PPT Sentrum');
  });

  it('the demo partner (a university teacher) sees both gatherings and the shared summary, without names, and no report or staff page', async () => {
    await seedDemoNetwork(logger);
    const stored = await networks().findOne({ _id: DEMO_NETWORK.id });
    expect((stored as unknown as { partners: Array<{ name: string }> }).partners.map((p) => p.name)).to.deep.equal(['Hanne Vik']);

    const partner = await signIn(app, DEMO_NETWORK.partnerEmail, DEMO_PASSWORD);
    expect((await partner.get('/mine-kurs').expect(200)).text).to.contain('Du er invitert som ekstern partner i nettverket Laget rundt barna – Nordbyen');
    const page = await partner.get(`/nettverk/${DEMO_NETWORK.id}`).expect(200);
    expect(page.text).to.contain(DEMO_NETWORK.held.title).and.to.contain(DEMO_NETWORK.planned.title).and.not.to.contain('Ingrid Berg').and.not.to.contain('Ola Hansen');
    const held = await partner.get(`/nettverk/${DEMO_NETWORK.id}/samlinger/${DEMO_NETWORK.held.id}`).expect(200);
    expect(held.text).to.contain('Det hjalp å beskrive situasjonen').and.not.to.contain('Ingrid Berg').and.not.to.contain(DEMO_NETWORK.sharedReport.report);
    for (const path of ['/kommune/rapport', '/leder', `/admin/nettverk/${DEMO_NETWORK.id}`]) expect((await partner.get(path)).status, path).to.equal(403);
  });
});
