import { expect } from 'chai';
import { clearDatabase } from '../helpers/database.js';
import { createLogger } from '../../src/lib/logger.js';
import mongoose from 'mongoose';
import { CompletionModel, CertificateModel, ProgressModel, ProgressService, progressId, type VersionForLearning } from '../../src/components/learning/index.js';
import { REMEMBERED_ACTIONS } from '../../src/components/learning/progress.service.js';

const quiz = {
  id: 'quiz',
  title: 'Sjekk',
  passMark: 100,
  questions: [
    { id: 'a', text: 'A?', options: [{ text: 'ja', correct: true, explanation: 'e' }, { text: 'nei', correct: false, explanation: 'e' }] },
    { id: 'b', text: 'B?', options: [{ text: 'ja', correct: false, explanation: 'e' }, { text: 'nei', correct: true, explanation: 'e' }] },
  ],
};

function version(minor = 0): VersionForLearning {
  return {
    id: `test-modul@1.${minor}`,
    slug: 'test-modul',
    major: 1,
    minor,
    title: 'Testmodul',
    minutes: 60,
    activities: [
      { id: 'lesson:en', kind: 'reading', lesson: 'en', settings: { id: 'lesson:en' } },
      { id: 'lesson:to', kind: 'reading', lesson: 'to', settings: { id: 'lesson:to' } },
      { id: 'tanker', kind: 'reflection', lesson: 'en', settings: { id: 'tanker', prompt: 'Hva tenker du?' } },
      { id: 'quiz', kind: 'quiz', lesson: 'to', settings: quiz },
    ],
  };
}

/** The stored progress document, as these tests read it. */
interface StoredActivity {
  attempts?: number;
  bestScore?: number;
  readAt?: string;
  text?: string;
}
interface StoredProgress {
  activities: Record<string, StoredActivity>;
  actions: Record<string, string>;
  completedAt: Date | null;
}

async function readProgress(userId: string): Promise<{ doc: StoredProgress; activity: (id: string) => StoredActivity }> {
  const doc = (await ProgressModel.collection.findOne({ _id: progressId(userId, 'test-modul', 1) as never })) as unknown as StoredProgress | null;
  expect(doc, `progress of ${userId}`).to.not.equal(null);
  return { doc: doc!, activity: (id) => doc!.activities[id] ?? {} };
}

let n = 0;
const actionId = () => `act-${Date.now()}-${(n += 1)}-${Math.random().toString(36).slice(2, 8)}`;

describe('learning: progress under concurrency (real database)', function () {
  this.timeout(120_000);
  const service = new ProgressService(createLogger('silent'));
  beforeEach(clearDatabase);

  it('200 conflicting actions in parallel on one progress document: nothing lost, completion recorded once', async () => {
    const v = version();
    const userId = 'user-concurrent';
    const submits = Array.from({ length: 120 }, (_, i) => ({
      activityId: 'quiz',
      action: 'submit',
      // Every tenth attempt is fully right (100); the rest score 50 or 0.
      input: { answers: i % 10 === 0 ? { a: [0], b: [1] } : i % 2 ? { a: [0], b: [0] } : { a: [1], b: [0] } },
    }));
    const saves = Array.from({ length: 60 }, (_, i) => ({ activityId: 'tanker', action: 'save', input: { text: `utkast ${i}` } }));
    const reads = Array.from({ length: 20 }, (_, i) => ({ activityId: i % 2 ? 'lesson:en' : 'lesson:to', action: 'markRead', input: {} }));
    const all = [...submits, ...saves, ...reads].sort(() => Math.random() - 0.5);

    const results = await Promise.all(
      all.map((a) => service.act({ userId, version: v, actionId: actionId(), unitIds: ['unit-1'], ...a })),
    );

    const { doc: stored, activity } = await readProgress(userId);
    expect(activity('quiz').attempts).to.equal(120);
    expect(activity('quiz').bestScore).to.equal(100);
    expect(activity('lesson:en').readAt).to.be.a('string');
    expect(activity('lesson:to').readAt).to.be.a('string');
    expect(activity('tanker').text).to.match(/^utkast \d+$/);
    expect(stored.completedAt).to.be.instanceOf(Date);
    expect(results.filter((r) => r.completedNow)).to.have.length(1);
    expect(await CompletionModel.countDocuments({ userId })).to.equal(1);
    const fact = await CompletionModel.findById(progressId(userId, 'test-modul', 1)).lean();
    expect(fact?.unitIds).to.deep.equal(['unit-1']);
    expect(await CertificateModel.countDocuments({ completionId: fact?._id })).to.equal(1);
    // The only actions not applied are reflection saves that arrived after a newer save of the
    // same reflection had been stored; the newest action ids are remembered for replays.
    expect(Object.keys(stored.actions).length).to.be.within(100, 150);
    const dropped = all.filter((_, i) => !results[i]!.applied);
    expect(dropped.every((a) => a.activityId === 'tanker')).to.equal(true);
  });

  it('the same action id sent 50 times in parallel is applied exactly once', async () => {
    const v = version();
    const id = actionId();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => service.act({ userId: 'u-dup', version: v, activityId: 'quiz', action: 'submit', input: { answers: { a: [1] } }, actionId: id, unitIds: [] })),
    );
    expect(results.filter((r) => r.applied)).to.have.length(1);
    const { activity } = await readProgress('u-dup');
    expect(activity('quiz').attempts).to.equal(1);
  });

  it('the remembered action ids stay bounded: after 400 actions the document keeps at most 150, newest included', async () => {
    const v = version();
    const ids: string[] = [];
    for (let i = 0; i < 400; i += 1) {
      const id = `bounded-${String(i).padStart(4, '0')}-x`;
      ids.push(id);
      await service.act({ userId: 'u-bound', version: v, activityId: 'quiz', action: 'submit', input: { answers: { a: [1] } }, actionId: id, unitIds: [], now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)) });
    }
    const { doc, activity } = await readProgress('u-bound');
    const remembered = Object.keys(doc.actions);
    expect(remembered.length).to.be.at.most(150);
    expect(remembered).to.include(ids[399]);
    expect(remembered).not.to.include(ids[0]);
    expect(activity('quiz').attempts).to.equal(400);
    // A replay of a recent action is still recognised.
    const replay = await service.act({ userId: 'u-bound', version: v, activityId: 'quiz', action: 'submit', input: { answers: { a: [1] } }, actionId: ids[399]!, unitIds: [] });
    expect(replay.applied).to.equal(false);
  });

  it('with the progress read before (as every learner request has it), old ids are forgotten in the action\'s own update: bounded, and never a second write', async () => {
    const v = version();
    const ids: string[] = [];
    let progressWrites = 0;
    const client = mongoose.connection.getClient();
    const listener = (event: mongoose.mongo.CommandStartedEvent) => {
      if (event.command[event.commandName] === 'progress' && ['update', 'findAndModify'].includes(event.commandName)) progressWrites += 1;
    };
    client.on('commandStarted', listener);
    try {
      for (let i = 0; i < 400; i += 1) {
        const id = `pre-${String(i).padStart(4, '0')}-x`;
        ids.push(id);
        const before = await service.get('u-pre', v);
        await service.act({ userId: 'u-pre', version: v, activityId: 'quiz', action: 'submit', input: { answers: { a: [1] } }, actionId: id, unitIds: [], before, now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)) });
      }
    } finally {
      client.off('commandStarted', listener);
    }
    expect(progressWrites, 'one write per action').to.equal(400);
    const { doc, activity } = await readProgress('u-pre');
    const remembered = Object.keys(doc.actions);
    expect(remembered.length).to.be.within(REMEMBERED_ACTIONS, 151);
    expect(remembered).to.include(ids[399]);
    expect(remembered).not.to.include(ids[0]);
    expect(activity('quiz').attempts).to.equal(400);
  });

  it('a resubmitted action changes nothing, even when the state moved on in between', async () => {
    const v = version();
    const first = actionId();
    await service.act({ userId: 'u-re', version: v, activityId: 'tanker', action: 'save', input: { text: 'A' }, actionId: first, unitIds: [], now: new Date('2026-01-01T10:00:00Z') });
    await service.act({ userId: 'u-re', version: v, activityId: 'tanker', action: 'save', input: { text: 'B' }, actionId: actionId(), unitIds: [], now: new Date('2026-01-01T10:01:00Z') });
    const replay = await service.act({ userId: 'u-re', version: v, activityId: 'tanker', action: 'save', input: { text: 'A' }, actionId: first, unitIds: [], now: new Date('2026-01-01T10:02:00Z') });
    expect(replay.applied).to.equal(false);
    expect((replay.progress.activities.tanker as { text: string }).text).to.equal('B');
  });

  it('an older save that arrives late never overwrites a newer one', async () => {
    const v = version();
    await service.act({ userId: 'u-late', version: v, activityId: 'tanker', action: 'save', input: { text: 'ny' }, actionId: actionId(), unitIds: [], now: new Date('2026-01-01T10:05:00Z') });
    const late = await service.act({ userId: 'u-late', version: v, activityId: 'tanker', action: 'save', input: { text: 'gammel' }, actionId: actionId(), unitIds: [], now: new Date('2026-01-01T10:04:00Z') });
    expect(late.applied).to.equal(false);
    expect((late.progress.activities.tanker as { text: string }).text).to.equal('ny');
  });

  it('completion never regresses: a later worse quiz attempt or an emptied reflection keeps the module complete', async () => {
    const v = version();
    const act = (activityId: string, action: string, input: unknown) => service.act({ userId: 'u-keep', version: v, activityId, action, input, actionId: actionId(), unitIds: [] });
    await act('lesson:en', 'markRead', {});
    await act('lesson:to', 'markRead', {});
    await act('tanker', 'save', { text: 'tanke' });
    const done = await act('quiz', 'submit', { answers: { a: [0], b: [1] } });
    expect(done.completedNow).to.equal(true);
    const worse = await act('quiz', 'submit', { answers: { a: [1], b: [0] } });
    const emptied = await act('tanker', 'save', { text: '' });
    expect(worse.progress.completedAt?.toISOString()).to.equal(done.progress.completedAt?.toISOString());
    expect(emptied.progress.completedAt?.toISOString()).to.equal(done.progress.completedAt?.toISOString());
    expect(await CompletionModel.countDocuments({ userId: 'u-keep' })).to.equal(1);
  });

  it('minor versions share progress: work done in 1.0 counts in 1.1, and the person moves onto 1.1', async () => {
    await service.act({ userId: 'u-minor', version: version(0), activityId: 'lesson:en', action: 'markRead', input: {}, actionId: actionId(), unitIds: [] });
    const later = await service.act({ userId: 'u-minor', version: version(1), activityId: 'lesson:to', action: 'markRead', input: {}, actionId: actionId(), unitIds: [] });
    expect(later.progress.versionId).to.equal('test-modul@1.1');
    expect((later.progress.activities['lesson:en'] as { readAt: string | null }).readAt).to.be.a('string');
    // Finishing something in the older minor does not move the person back.
    const back = await service.act({ userId: 'u-minor', version: version(0), activityId: 'tanker', action: 'save', input: { text: 'x' }, actionId: actionId(), unitIds: [] });
    expect(back.progress.versionId).to.equal('test-modul@1.1');
  });

  it('bad input: a Norwegian field error, nothing stored', async () => {
    const v = version();
    let error: unknown;
    try {
      await service.act({ userId: 'u-bad', version: v, activityId: 'quiz', action: 'submit', input: { answers: 'alt' }, actionId: actionId(), unitIds: [] });
    } catch (err) {
      error = err;
    }
    expect((error as { fields?: object }).fields).to.have.property('answers', 'learning:errors.input');
    expect(await ProgressModel.countDocuments()).to.equal(0);
  });
});
