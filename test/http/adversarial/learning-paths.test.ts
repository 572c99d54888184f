import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn } from '../../helpers/auth.js';
import { publishFixture } from '../../helpers/learning-fixture.js';
import { ProgressModel, PrerequisitesNotMetError, LearningService, ProgressService } from '../../../src/components/learning/index.js';
import { TeamSessionService } from '../../../src/components/teams/index.js';
import { UserModel, toSessionUser } from '../../../src/components/accounts/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { paths } from '../../../src/config/index.js';
import { sourceFiles } from '../../helpers/source-files.js';
import { isoDate, todayDateOnly } from '../../../src/lib/dates.js';

/**
 * Finding 4 of issue 12 and its class: learning rules hold on every path that starts or completes a
 * module. A leader recording team-session attendance must not start a module whose prerequisites the
 * person has not completed (the attendance used to start it, and "already started" then unlocked
 * its lessons). The class: every write of progress in src/ goes through the one method of the
 * learning service that checks the rules.
 */
describe('adversarial: prerequisites hold on every path that starts a module', function () {
  this.timeout(60_000);

  beforeEach(async () => {
    await clearDatabase();
  });

  it('finding 4: a leader recording attendance does not start a locked module, nor unlock its lessons for the person', async () => {
    const app = await buildTestApp();
    const logger = createLogger('silent');
    const unit = await createUnit('Solsikken barnehage');
    const staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId: unit, role: 'ansatt' }] });
    const leader = await createUser({ name: 'Leder Lise', memberships: [{ unitId: unit, role: 'leder' }] });
    await publishFixture({ slug: 'grunnkurs', title: 'Grunnkurs', small: true });
    await publishFixture({ slug: 'samtaler', prerequisites: ['grunnkurs'] });
    const learning = new LearningService(new ProgressService(logger), logger, 'http://localhost');
    const leaderUser = toSessionUser((await UserModel.findById(leader.id).lean())!);

    let refused: unknown;
    await learning.recordTeamAttendance(leaderUser, { personId: staff.id, slug: 'samtaler', activityId: 'team', attended: true }).catch((err) => (refused = err));
    expect(refused).to.be.instanceOf(PrerequisitesNotMetError);
    expect(await ProgressModel.countDocuments({ moduleSlug: 'samtaler' })).to.equal(0);

    // Through the team-session pages: the attendance is kept on the session, the leader is told who
    // could not be recorded, and the person's lessons stay locked.
    const teams = new TeamSessionService(learning, logger);
    const yesterday = isoDate(new Date(todayDateOnly().getTime() - 86_400_000));
    const sessionId = await teams.plan(leaderUser, unit, { activity: 'samtaler/team', date: yesterday, time: '10:00', place: 'Rommet', facilitator: 'Leder Lise' });
    const result = await teams.recordAttendance(leaderUser, unit, sessionId, [staff.id]);
    expect(result).to.include({ present: 1, changed: 0, failed: 1 });
    expect(await ProgressModel.countDocuments({ moduleSlug: 'samtaler' })).to.equal(0);
    const agent = await signIn(app, staff.email);
    expect((await agent.get('/moduler/samtaler/lytte')).status).to.equal(403);
    await csrfToken(agent, '/moduler/samtaler/');
  });

  it('class: progress is written only by the learning service method that checks the rules', () => {
    const calls = sourceFiles().flatMap(({ file, text }) => [...text.matchAll(/\b(?:progress|this\.progress|progressService)\.act\(/g)].map(() => file));
    expect(calls).to.deep.equal(['src/components/learning/learning.service.ts']);
    const source = readFileSync(path.join(paths.root, 'src/components/learning/learning.service.ts'), 'utf8');
    // The one call sits in `write`, which checks the rules first.
    const write = /private async write\([\s\S]*?\n {2}\}/.exec(source)?.[0] ?? '';
    expect(write).to.contain('this.assertUnlocked(ctx)').and.to.contain('this.progress.act(');
  });
});
