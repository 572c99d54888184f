import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import { learnerView, registry, type AnyActivityKind } from '../../activities/index.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { blockData, findActivityBlocks, insertBlock, placements, replaceBlock, settingsYaml, type ActivityBlock } from './activity-block.js';
import { getLesson, lessonTextProblems, previewLessonText, saveLesson, type PreviewPart } from './authoring.service.js';
import type { Problem } from './problems.js';

type ActivityPreviewPart = Extract<PreviewPart, { type: 'activity' }>;
import type { Publisher } from './models.js';

/**
 * Activities written through the lesson editor's form: the lesson's blocks as the form sees them,
 * and saving one block back (or a new one at the end) under the draft's optimistic-concurrency check.
 */

/** A kind an author may write, or NotFoundError. */
export function authoredKind(kind: string): AnyActivityKind {
  const definition = registry.get(kind);
  if (!definition || !registry.authoredKinds.has(kind)) throw new NotFoundError(`activity kind ${kind}`);
  return definition;
}

/** The kinds an author may write, in the registry's order. */
export function authoredKindNames(): string[] {
  return [...registry.authoredKinds];
}

/** Where in the lesson a new block may go (the end of each section but the last). */
export function lessonPlacements(text: string): Array<{ heading: string; before: number }> {
  return placements(text).filter((p) => p.before > 0);
}

/** Where a new block goes for a cursor on `line` of the saved text: the end of that line's section (0: the end of the file). */
export function placementForLine(text: string, line: number): number {
  return lessonPlacements(text).find((p) => p.before > line)?.before ?? 0;
}

/** The lesson's editable activity blocks, each with its settings as plain data (null when its YAML is broken). */
export function lessonBlocks(text: string): Array<ActivityBlock & { data: Record<string, unknown> | null }> {
  return findActivityBlocks(text, registry.authoredKinds).map((block) => ({ ...block, data: blockData(block) }));
}

/** One block of a lesson, for its edit form. */
export async function getActivityBlock(slug: string, file: string, index: number): Promise<{ kind: string; data: Record<string, unknown>; revision: number }> {
  const lesson = await getLesson(slug, file);
  const block = lessonBlocks(lesson.text)[index];
  if (!block || !block.data) throw new NotFoundError(`activity block ${index} in ${slug}/${file}`);
  return { kind: block.kind, data: block.data, revision: lesson.module.revision };
}

/** The settings of the block being edited (for reading its form back against), as the author's page showed it. */
export async function originalBlockData(slug: string, file: string, index: number | null): Promise<Record<string, unknown> | undefined> {
  if (index === null) return undefined;
  const lesson = await getLesson(slug, file);
  return lessonBlocks(lesson.text)[index]?.data ?? undefined;
}

/** The lesson's text with a block's settings written in (see saveActivityBlock), and that block's number in it. */
function lessonWithBlock(text: string, input: { index: number | null; before?: number; kind: string; data: Record<string, unknown> }, where: string): { text: string; index: number } {
  if (input.index === null) {
    const before = placements(text).some((p) => p.before > 0 && p.before === input.before) ? input.before! : 0;
    // The new block's number: after every block above where it goes (all of them at the end).
    const index = before ? lessonBlocks(text).filter((b) => b.line < before).length : lessonBlocks(text).length;
    return { text: insertBlock(text, input.kind, settingsYaml(input.data), before), index };
  }
  const block = lessonBlocks(text)[input.index];
  if (!block || block.kind !== input.kind) throw new ConflictError(`activity block ${input.index} in ${where} is gone`, 'authoring:errors.staleRevision');
  return { text: isDeepStrictEqual(block.data, input.data) ? text : replaceBlock(text, block, settingsYaml(input.data)), index: input.index };
}

/**
 * Writes a block's settings into the lesson: over block `index`, or as a new block when it is null —
 * before line `before` (the heading after the chosen section; 0, or a line that is no such heading: at the end).
 * Unchanged settings leave the block's text (and its comments) as they were. A stale revision, or
 * a block that is no longer of this kind, is refused with ConflictError.
 */
export async function saveActivityBlock(input: { slug: string; file: string; revision: number; index: number | null; before?: number; kind: string; data: Record<string, unknown>; by: Publisher }): Promise<number> {
  authoredKind(input.kind);
  const lesson = await getLesson(input.slug, input.file);
  if (lesson.module.revision !== input.revision) throw new ConflictError(`draft ${input.slug} changed since revision ${input.revision}`, 'authoring:errors.staleRevision');
  const { text } = lessonWithBlock(lesson.text, input, `${input.slug}/${input.file}`);
  return saveLesson({ slug: input.slug, file: input.file, revision: input.revision, text, by: input.by });
}

/**
 * The form's block checked as if it were saved, without saving it: what the module checker says
 * about its lines (the editorial rules too, such as a quiz's right answer always the longest), and
 * the activity as learners will see it (null when the lesson does not render).
 */
export async function checkActivityBlock(input: { slug: string; file: string; index: number | null; before?: number; kind: string; data: Record<string, unknown> }): Promise<{ problems: Problem[]; activity: ActivityPreviewPart | null }> {
  authoredKind(input.kind);
  const lesson = await getLesson(input.slug, input.file);
  const { text, index } = lessonWithBlock(lesson.text, input, `${input.slug}/${input.file}`);
  const block = lessonBlocks(text)[index];
  const [preview, all] = await Promise.all([previewLessonText(input.slug, input.file, text), lessonTextProblems(input.slug, input.file, text)]);
  const problems = block ? all.filter((p) => p.line >= block.line && p.line <= block.close + 1) : [];
  const id = typeof input.data.id === 'string' ? input.data.id : null;
  const part = preview.lesson?.parts.find((p): p is ActivityPreviewPart => p.type === 'activity' && p.activity.id === id) ?? null;
  // As one learner would see it: a quiz's options in the order a learner of its own gets (they are
  // shuffled per learner and attempt), so the author sees that no option relies on its place.
  const activity = part && { ...part, activity: { ...part.activity, view: learnerView(input.kind, input.data, part.activity.view, undefined, { learnerKey: randomUUID() }) } };
  return { problems, activity };
}
