import mongoose, { Schema } from 'mongoose';

/**
 * Modules, their published versions and their files. Every lookup is by a deterministic string
 * `_id` (the slug, `<slug>@<major>.<minor>`, or a sha256), the one kind of query the embedded
 * FerretDB hands down to SQLite.
 */

export const MODULE_STATUSES = ['active', 'unpublished', 'archived'] as const;
export type ModuleStatus = (typeof MODULE_STATUSES)[number];
export const VERSION_KINDS = ['major', 'minor'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

/**
 * One file of a module's source: Markdown of module.md and lessons inline, everything in assets/
 * by its sha256 in module_assets. The same shape serves the browser draft and each version.
 */
const sourceFileSchema = new Schema(
  {
    path: { type: String, required: true },
    text: { type: String, default: null },
    sha256: { type: String, required: true },
    size: { type: Number, required: true },
  },
  { _id: false },
);

const personSchema = new Schema(
  {
    id: { type: String, default: null },
    name: { type: String, required: true },
  },
  { _id: false },
);

/**
 * `_id` = slug. Holds the browser draft (with a `revision` for optimistic concurrency: a save is
 * one conditional update on `{ _id, revision }`) and points at the latest published version.
 */
const moduleSchema = new Schema(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    /** active: in the catalogue once published; unpublished: hidden but kept; archived: hidden and read-only. */
    status: { type: String, enum: MODULE_STATUSES, default: 'active' },
    latestVersionId: { type: String, default: null },
    latestMajor: { type: Number, default: null },
    latestMinor: { type: Number, default: null },
    /** Content hash of the latest version, compared before anything is parsed or rendered. */
    publishedHash: { type: String, default: null },
    /** The draft's prerequisites, kept here so checking one draft need not read every other module. */
    prerequisites: { type: [String], default: [] },
    draftFiles: { type: [sourceFileSchema], default: [] },
    draftHash: { type: String, default: null },
    revision: { type: Number, default: 0 },
    draftUpdatedAt: { type: Date, default: null },
    draftUpdatedBy: { type: personSchema, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** `_id` = `<slug>@<major>.<minor>`. Written once, never changed. */
const moduleVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    major: { type: Number, required: true },
    minor: { type: Number, required: true },
    kind: { type: String, enum: VERSION_KINDS, required: true },
    changeNote: { type: String, default: '' },
    publishedBy: { type: personSchema, required: true },
    publishedAt: { type: Date, required: true },
    contentHash: { type: String, required: true },
    title: { type: String, required: true },
    frontMatter: { type: Schema.Types.Mixed, required: true },
    introHtml: { type: String, default: '' },
    introToc: { type: Schema.Types.Mixed, default: [] },
    /**
     * Rendered lessons. `html` holds `<!--activity:<id>-->` markers where activities go; links
     * between lessons are relative (`<lesson-slug>`), so lesson pages are siblings in the URL.
     */
    lessons: { type: Schema.Types.Mixed, required: true },
    /** Activities with their full settings (for grading) and their public view (for the page). */
    activities: { type: Schema.Types.Mixed, required: true },
    assets: { type: Schema.Types.Mixed, default: [] },
    /** The normalised source, for export, diffs and restoring a draft. */
    files: { type: [sourceFileSchema], required: true },
  },
  { versionKey: false, minimize: false },
);
// Version history of a module (an author's page, not a hot path).
moduleVersionSchema.index({ moduleSlug: 1 });

const immutable = function (): never {
  throw new Error('module versions are immutable');
};
for (const op of ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'] as const) {
  moduleVersionSchema.pre(op, immutable);
}

/** A module file by its sha256 (content-addressed: the same picture in two modules is stored once). */
const moduleAssetSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: Buffer, required: true },
    size: { type: Number, required: true },
    contentType: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const ModuleModel = mongoose.model('Module', moduleSchema, 'modules');
export const ModuleVersionModel = mongoose.model('ModuleVersion', moduleVersionSchema, 'module_versions');
export const ModuleAssetModel = mongoose.model('ModuleAsset', moduleAssetSchema, 'module_assets');

export function versionId(slug: string, major: number, minor: number): string {
  return `${slug}@${major}.${minor}`;
}

export interface StoredFile {
  path: string;
  text: string | null;
  sha256: string;
  size: number;
}

export interface Publisher {
  id: string | null;
  name: string;
}
