import { effectContribution, type EffectContribution } from '../../activities/index.js';
import { ProgressModel } from './models.js';
import { catalogue, newestOfMajor, type LearningVersion } from './versions.js';

/**
 * What reports read of the learners' self-assessments and evaluations: per person and module, the
 * contribution each kind's `effect` hook makes of their stored states — a change, scores and when —
 * never the ratings or texts themselves. One scan of the progress collection (the projection keeps
 * it to the activities), so the reports cache the result and build it off the hot path.
 */

export interface EffectAnswer extends EffectContribution {
  userId: string;
  slug: string;
}

interface StoredProgress {
  userId: string;
  moduleSlug: string;
  major: number;
  activities?: Record<string, unknown>;
}

export async function effectAnswers(slugs: readonly string[]): Promise<EffectAnswer[]> {
  const items = (await catalogue()).bySlug;
  const wanted = slugs.filter((s) => items.has(s));
  if (!wanted.length) return [];
  const versions = new Map<string, Promise<LearningVersion | null>>();
  const versionOf = (slug: string, major: number) => {
    const key = `${slug}@${major}`;
    if (!versions.has(key)) versions.set(key, newestOfMajor(items.get(slug)!, major, 0));
    return versions.get(key)!;
  };
  const collection = ProgressModel.db.collection<StoredProgress>(ProgressModel.collection.collectionName);
  const answers: EffectAnswer[] = [];
  for await (const doc of collection.find({ moduleSlug: { $in: wanted } }, { projection: { userId: 1, moduleSlug: 1, major: 1, activities: 1 }, batchSize: 2000 })) {
    const version = await versionOf(String(doc.moduleSlug), doc.major);
    if (!version || !doc.activities) continue;
    const states = doc.activities;
    const contribution = effectContribution(version.activities.map((a) => ({ kind: a.kind, settings: a.settings, stored: Object.hasOwn(states, a.id) ? states[a.id] : undefined })));
    if (contribution.change || contribution.evaluation) answers.push({ userId: String(doc.userId), slug: String(doc.moduleSlug), ...contribution });
  }
  return answers;
}
