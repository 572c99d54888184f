import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';

const ACTIONS: Record<string, [string, (settings: Record<string, unknown>) => unknown]> = {
  reading: ['markRead', () => ({})],
  video: ['markWatched', () => ({})],
  reflection: ['save', () => ({ text: 'Tanke' })],
  'workplace-task': ['report', () => ({ tried: true, note: '' })],
  quiz: [
    'submit',
    (settings) => ({
      answers: Object.fromEntries((settings.questions as Array<{ id: string; options: Array<{ correct: boolean }> }>).map((q) => [q.id, q.options.flatMap((o, i) => (o.correct ? [i] : []))])),
    }),
  ],
  'team-session': ['recordAttendance', () => ({ attended: true, recordedBy: 'Leder' })],
};

/**
 * Does a published version's activities for a person through the progress service, as the learner
 * (and for the team session, a leader) would: all of them, or all but the team session.
 */
export async function doActivities(userId: string, unitId: string, versionId: string, options: { skipTeamSession?: boolean } = {}): Promise<void> {
  const version = await learningVersion(versionId);
  if (!version) throw new Error(`no version ${versionId}`);
  const progress = new ProgressService(createLogger('silent'));
  for (const activity of version.activities) {
    if (options.skipTeamSession && activity.kind === 'team-session') continue;
    const [action, input] = ACTIONS[activity.kind]!;
    await progress.act({ userId, version, activityId: activity.id, action, input: input(activity.settings), actionId: `helper-${activity.id.replace(':', '-')}`, unitIds: [unitId] });
  }
}
