import { CompletionModel, LearnerModel, ProgressModel, progressId, type LearnerModuleEntry } from './models.js';

/**
 * What other components (reports) read of learning's stored records, so that they never query
 * learning's collections themselves. Every lookup of one record goes by its string `_id`, the one
 * filter the embedded FerretDB hands down to SQLite; the scans read each collection once, in batches.
 */

/** A person's summary as stored: module slug → `m<major>` → what is known of that major. */
export type LearnerModules = Record<string, Record<string, Partial<LearnerModuleEntry>>>;

interface StoredLearner {
  _id: string;
  modules?: LearnerModules;
}

interface StoredCompletion {
  _id: string;
  userId: string;
  moduleSlug: string;
  major: number;
  completedAt: Date;
}

interface StoredProgress {
  _id: string;
  minor?: number;
  activities?: Record<string, unknown>;
}

// The models' own collections (the same objects), typed with their string `_id`s.
const learners = () => LearnerModel.db.collection<StoredLearner>(LearnerModel.collection.collectionName);
const completions = () => CompletionModel.db.collection<StoredCompletion>(CompletionModel.collection.collectionName);
const progress = () => ProgressModel.db.collection<StoredProgress>(ProgressModel.collection.collectionName);

/** The person's summary (one lookup by id); undefined when they have not started anything. */
export async function learnerModulesOf(userId: string): Promise<LearnerModules | undefined> {
  return (await learners().findOne({ _id: userId }))?.modules;
}

/**
 * When the person completed each of these majors (null: not completed): one lookup by `_id` each, in
 * parallel. Not one `$in` query: the embedded FerretDB pushes only a lone `_id` equality down to
 * SQLite, so `$in` scans every completion fact (the drill's first actions got half as slow again).
 */
export async function completionTimesOf(userId: string, majors: ReadonlyArray<{ slug: string; major: number }>): Promise<Array<Date | null>> {
  const found = await Promise.all(majors.map((m) => completions().findOne({ _id: progressId(userId, m.slug, m.major) }, { projection: { completedAt: 1 } })));
  return found.map((c) => (c ? c.completedAt : null));
}

/** Every person's summary, in batches. */
export async function* allLearnerModules(): AsyncGenerator<{ userId: string; modules: LearnerModules | undefined }> {
  for await (const doc of learners().find({}, { batchSize: 2000 })) yield { userId: String(doc._id), modules: doc.modules };
}

/** Every completion fact (who, which module and major, when), in batches. */
export async function* allCompletions(): AsyncGenerator<{ userId: string; moduleSlug: string; major: number; completedAt: Date }> {
  for await (const c of completions().find({}, { projection: { userId: 1, moduleSlug: 1, major: 1, completedAt: 1 }, batchSize: 5000 })) {
    yield { userId: String(c.userId), moduleSlug: String(c.moduleSlug), major: c.major, completedAt: c.completedAt };
  }
}

/** The minor version a person last worked in and their activity states in one major (one lookup by id); null: not started. */
export async function progressStateOf(userId: string, slug: string, major: number): Promise<{ minor: number; activities: Record<string, unknown> } | null> {
  const doc = await progress().findOne({ _id: progressId(userId, slug, major) }, { projection: { minor: 1, activities: 1 } });
  return doc ? { minor: Number(doc.minor ?? 0), activities: doc.activities ?? {} } : null;
}
