import { ValidationError } from '../../lib/errors.js';
import { parseDateOnly } from '../../lib/dates.js';
import { forgetStructure, reportCatalogue } from './sources.js';
import type { ReportContext } from './context.js';
import { changeSettings, coreSetOf, readSettings, TARGET_SCOPES, type Target, type TargetScope } from './settings.js';
import { NO_RENEWAL, type RenewalRule } from './validity.js';
import { rebuildReports } from './rebuild.js';

/** The settings pages: what the forms show, and the checks and saving behind them. */

type Body = Record<string, unknown>;
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim().slice(0, 40) : '');
const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');

export interface SettingsPage {
  modules: Array<{ slug: string; title: string; measure3: boolean; inCore: boolean }>;
  auto: boolean;
  targets: Array<{ scope: TargetScope; percent: string; deadline: string }>;
}

/** The form's values: stored, or as submitted (so a mistake loses nothing). */
export async function settingsPage(ctx: ReportContext, submitted?: Body): Promise<SettingsPage> {
  const [{ modules }, { value: settings }] = await Promise.all([reportCatalogue(ctx), readSettings()]);
  const core = new Set(submitted ? listOf(submitted.moduler) : coreSetOf(settings, modules));
  const auto = submitted ? str(submitted, 'kjerne') !== 'valgt' : settings.coreSet === null;
  return {
    modules: modules.map((m) => ({ slug: m.slug, title: m.title, measure3: m.measures.includes(3), inCore: core.has(m.slug) })),
    auto,
    targets: TARGET_SCOPES.map((scope) => {
      const stored = settings.targets.find((t) => t.scope === scope);
      return submitted
        ? { scope, percent: str(submitted, `mal-${scope}-prosent`), deadline: str(submitted, `mal-${scope}-frist`) }
        : { scope, percent: stored ? String(stored.percent) : '', deadline: stored?.deadline ?? '' };
    }),
  };
}

export async function saveReportSettings(ctx: ReportContext, body: Body): Promise<void> {
  // Validated against the modules as they are now, not as cached for the pages: a module published a
  // moment ago (the demo seed does exactly that) must be choosable.
  forgetStructure(ctx);
  const { modules } = await reportCatalogue(ctx);
  const fields: Record<string, string> = {};
  const auto = str(body, 'kjerne') !== 'valgt';
  const chosen = modules.map((m) => m.slug).filter((s) => listOf(body.moduler).includes(s));
  if (!auto && !chosen.length) fields.moduler = 'reports:errors.coreSetEmpty';
  const targets: Target[] = [];
  for (const scope of TARGET_SCOPES) {
    const percentText = str(body, `mal-${scope}-prosent`).replace(',', '.');
    const deadlineText = str(body, `mal-${scope}-frist`);
    if (!percentText && !deadlineText) continue;
    const percent = Number(percentText);
    const deadline = parseDateOnly(deadlineText);
    if (!percentText || !Number.isFinite(percent) || percent <= 0 || percent > 100) fields[`mal-${scope}-prosent`] = 'reports:errors.targetPercent';
    if (!deadline) fields[`mal-${scope}-frist`] = 'reports:errors.targetDeadline';
    if (Number.isFinite(percent) && deadline) targets.push({ scope, percent: Math.round(percent * 10) / 10, deadline: deadlineText });
  }
  if (Object.keys(fields).length) throw new ValidationError('report settings', fields);
  await changeSettings((current) => ({ ...current, coreSet: auto ? null : chosen, targets }));
}

export interface RenewalPage {
  modules: Array<{ slug: string; title: string; majors: number[]; months: string; onNewMajor: boolean; grace: string }>;
}

export async function renewalPage(ctx: ReportContext, submitted?: Body): Promise<RenewalPage> {
  const [{ modules }, { value: settings }] = await Promise.all([reportCatalogue(ctx), readSettings()]);
  return {
    modules: modules.map((m) => {
      const rule = { ...NO_RENEWAL, ...(settings.rules[m.slug] ?? {}) };
      return submitted
        ? { slug: m.slug, title: m.title, majors: m.releases.map((r) => r.major), months: str(submitted, `mnd-${m.slug}`), onNewMajor: str(submitted, `major-${m.slug}`) === 'ja', grace: str(submitted, `overgang-${m.slug}`) }
        : { slug: m.slug, title: m.title, majors: m.releases.map((r) => r.major), months: rule.renewAfterMonths === null ? '' : String(rule.renewAfterMonths), onNewMajor: rule.onNewMajor, grace: rule.onNewMajor ? String(rule.graceMonths) : '' };
    }),
  };
}

const wholeNumber = (text: string, min: number, max: number): number | null => (/^\d{1,3}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : null);

/**
 * Saves every module's rule. When a rule changed, every status is recomputed in the background (a
 * large municipality takes a while); the sweep does it again if this process stops first.
 */
export async function saveRenewalRules(ctx: ReportContext, body: Body): Promise<void> {
  forgetStructure(ctx);
  const { modules } = await reportCatalogue(ctx);
  const fields: Record<string, string> = {};
  const rules: Record<string, RenewalRule> = {};
  for (const m of modules) {
    const monthsText = str(body, `mnd-${m.slug}`);
    const graceText = str(body, `overgang-${m.slug}`);
    const onNewMajor = str(body, `major-${m.slug}`) === 'ja';
    const months = monthsText ? wholeNumber(monthsText, 1, 120) : null;
    const grace = graceText ? wholeNumber(graceText, 0, 24) : 0;
    if (monthsText && months === null) fields[`mnd-${m.slug}`] = 'reports:errors.renewMonths';
    if (graceText && grace === null) fields[`overgang-${m.slug}`] = 'reports:errors.graceMonths';
    if (graceText && !onNewMajor) fields[`overgang-${m.slug}`] = 'reports:errors.graceWithoutMajor';
    if (months !== null || onNewMajor) rules[m.slug] = { renewAfterMonths: months, onNewMajor, graceMonths: grace ?? 0 };
  }
  if (Object.keys(fields).length) throw new ValidationError('renewal rules', fields);
  const saved = await changeSettings((current) => (JSON.stringify(current.rules) === JSON.stringify(rules) ? undefined : { ...current, rules, rulesVersion: current.rulesVersion + 1 }));
  if (!saved) return;
  const { logger } = ctx;
  ctx.pending = ctx.pending
    .then(() => rebuildReports(ctx))
    .then(
      (report) => logger.info({ report: { ...report, drift: report.drift.length } }, 'report summaries recomputed after a renewal rule change'),
      (err: unknown) => logger.error({ err }, 'recomputing report summaries after a rule change failed; the sweep retries'),
    );
}
