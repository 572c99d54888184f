import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { signIn } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';
import { seedDemoOrganisation } from '../../src/components/organisation/index.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../../src/components/accounts/index.js';
import { DEMO_TEAM_SESSION, seedDemoTeamSession } from '../../src/components/teams/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

describe('seed: the demo team session', function () {
  this.timeout(60_000);
  let app: Express;
  const logger = createLogger('silent');

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    await seedDemoOrganisation();
    await seedDemoUsers();
  });

  it('without the module published: plans nothing, and plans it at a later start once the module is there', async () => {
    expect(await seedDemoTeamSession(logger)).to.equal(false);
    expect(await mongoose.connection.db!.collection('team_sessions').countDocuments()).to.equal(0);

    await publishFixture({ slug: DEMO_TEAM_SESSION.moduleSlug });
    expect(await seedDemoTeamSession(logger)).to.equal(true);
    expect(await seedDemoTeamSession(logger), 'idempotent').to.equal(false);
    expect(await mongoose.connection.db!.collection('team_sessions').countDocuments()).to.equal(1);
  });

  it('the styrer of Solsikken sees it planned a week ahead, in the list of the unit and with its guide', async () => {
    await publishFixture({ slug: DEMO_TEAM_SESSION.moduleSlug });
    expect(await seedDemoTeamSession(logger)).to.equal(true);
    const stored = await mongoose.connection.db!.collection<{ _id: string; unitId: string; startsAt: Date; place: string; plannedBy: { name: string } }>('team_sessions').findOne({ _id: DEMO_TEAM_SESSION.id });
    const unit = await mongoose.connection.db!.collection('units').findOne({ name: DEMO_TEAM_SESSION.unit });
    expect(stored!.unitId).to.equal(String(unit!._id));
    expect(stored!.plannedBy.name).to.equal('Siri Dahl');
    expect(isoDate(stored!.startsAt)).to.equal(isoDate(new Date(todayDateOnly().getTime() + DEMO_TEAM_SESSION.daysAhead * 86_400_000)));

    const styrer = await signIn(app, DEMO_TEAM_SESSION.leaderEmail, DEMO_PASSWORD);
    const list = await styrer.get(`/leder/${stored!.unitId}/teammoter`).expect(200);
    expect(list.text).to.include(DEMO_TEAM_SESSION.place);
    expect(list.text).to.include(`/leder/${stored!.unitId}/teammoter/${DEMO_TEAM_SESSION.id}`);
    await styrer.get(`/leder/${stored!.unitId}/teammoter/${DEMO_TEAM_SESSION.id}/guide`).expect(200);
  });
});
