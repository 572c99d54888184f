import { ReportStateModel } from './models.js';
import { readJson, updateJson, type Versioned } from './json-store.js';
import { NO_RENEWAL, type RenewalRule } from './validity.js';
import type { ReportModule } from './roster.js';

/** What the municipal admin decides: renewal per module, the measure-3 core set, and targets. */

export const TARGET_SCOPES = ['all', 'barnehage', 'skole', 'sfo', 'ppt', 'barnevern', 'helsetjeneste', 'voksenopplaering', 'annet'] as const;
export type TargetScope = (typeof TARGET_SCOPES)[number];

export interface Target {
  /** The whole municipality, or the units of one type. */
  scope: TargetScope;
  /** Percent of person-module pairs completed. */
  percent: number;
  /** `YYYY-MM-DD`. */
  deadline: string;
}

export interface ReportSettings {
  rules: Record<string, RenewalRule>;
  /** Chosen modules of the measure-3 core set; null: every module whose front matter lists measure 3. */
  coreSet: string[] | null;
  targets: Target[];
  /** Raised whenever a renewal rule changes: every person's status is then recomputed. */
  rulesVersion: number;
}

export const DEFAULT_SETTINGS: ReportSettings = Object.freeze({ rules: {}, coreSet: null, targets: [], rulesVersion: 0 }) as ReportSettings;

const SETTINGS_ID = 'settings';

export async function readSettings(): Promise<Versioned<ReportSettings>> {
  const stored = await readJson<ReportSettings>(ReportStateModel, SETTINGS_ID);
  return stored ? { v: stored.v, value: { ...DEFAULT_SETTINGS, ...stored.value } } : { v: 0, value: { ...DEFAULT_SETTINGS } };
}

export async function changeSettings(change: (current: ReportSettings) => ReportSettings | undefined): Promise<ReportSettings | null> {
  const written = await updateJson<ReportSettings>(ReportStateModel, SETTINGS_ID, (current) => change({ ...DEFAULT_SETTINGS, ...(current ?? {}) }));
  return written?.value ?? null;
}

export function rulesMap(settings: ReportSettings): Map<string, RenewalRule> {
  return new Map(Object.entries(settings.rules).map(([slug, rule]) => [slug, { ...NO_RENEWAL, ...rule }]));
}

/** The core set in catalogue order: the admin's choice, or the modules for measure 3. */
export function coreSetOf(settings: ReportSettings, modules: readonly ReportModule[]): string[] {
  if (settings.coreSet) {
    const chosen = new Set(settings.coreSet);
    const known = modules.filter((m) => chosen.has(m.slug)).map((m) => m.slug);
    if (known.length) return known;
  }
  const measure3 = modules.filter((m) => m.measures.includes(3)).map((m) => m.slug);
  return measure3.length ? measure3 : modules.map((m) => m.slug);
}

/** The target that applies to a unit type (its own, or the municipality's). */
export function targetFor(settings: ReportSettings, type: string | null): Target | null {
  return (type ? settings.targets.find((t) => t.scope === type) : undefined) ?? settings.targets.find((t) => t.scope === 'all') ?? null;
}
