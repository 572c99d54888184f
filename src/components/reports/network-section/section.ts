import { networkParticipation, type NetworkParticipation } from '../../networks/index.js';
import { UNIT_TYPES, unitsByIds } from '../../organisation/index.js';
import { AuditDeadlineError, auditPublication, type AuditResult, type Publication, type Relation } from '../disclosure-audit.js';
import { protectTable, tablePublication } from '../protect.js';
import { CellTable, isSmall } from '../suppression.js';
import type { Figure } from '../report-model.js';

/**
 * The network section of the measure-3 report: how many take part in learning networks, per unit type
 * and for the municipality, how often they came to the gatherings and how many modules they completed
 * through them. Counts of people go through the same small-cell rule as the rest of the report: the
 * first pass and the proof of `protect.ts` over the section's own table (a type adds up to the
 * municipality), then the gate below, where the disclosure auditor also knows what a reader can add
 * (attendances ≤ gatherings held × participants, completions ≤ attendances, participants ≤ the
 * type's published staff count) and the section hides more until it passes — less, never a leak.
 * The number of networks and of gatherings held count no one and are shown as they are.
 */

export interface NetworkSectionRow {
  /** `all` or `t:<type>`. */
  scope: string;
  type: string | null;
  label: string;
  participants: Figure;
  attended: Figure;
  completed: Figure;
}

export interface NetworkSection {
  networks: number;
  openNetworks: number;
  gatheringsHeld: number;
  types: NetworkSectionRow[];
  total: NetworkSectionRow;
  /** The gate hid more than the proven suppression (should not happen; logged). */
  escalated: boolean;
}

const FIELDS = ['participants', 'attended', 'completed'] as const;
type Field = (typeof FIELDS)[number];

/** How long the gate's audit may take before the section hides every count. */
const GATE_BUDGET_MS = 5_000;

export interface NetworkSectionOptions {
  /** The unit types of the report (as the completion tables list them), each with its label. */
  typeLabel: (type: string) => string;
  municipalityLabel: string;
  /** The staff count of each type's row and the municipality's as the report shows them (null when hidden), by scope. */
  publishedStaff: ReadonlyMap<string, number | null>;
  /** Told when the gate had to hide more than the proven suppression. */
  onEscalation?: (failures: AuditResult['failures']) => void;
  /**
   * Sections already proven, by everything they were computed from (the proof is deterministic, so
   * equal inputs give the equal section): owned by the caller, one per app.
   */
  cache?: Map<string, NetworkSection>;
}

/** How many proven sections a cache keeps (a few languages and module choices at a time). */
const CACHED = 16;

/** Reads participation through the networks component and protects it. */
export async function networkSection(types: readonly string[], options: NetworkSectionOptions): Promise<NetworkSection> {
  const participation = await networkParticipation();
  const units = await unitsByIds([...new Set(participation.people.map((p) => p.unitId))]);
  const typeOf = (unitId: string) => units.get(unitId)?.type ?? 'annet';
  const cache = options.cache;
  if (!cache) return protectedSection(participation, typeOf, types, options);
  const people = participation.people.map((p) => [typeOf(p.unitId), p.attended, p.completed]).sort();
  const key = JSON.stringify([participation.networks, participation.openNetworks, participation.gatheringsHeld, people, types, [...options.publishedStaff], options.municipalityLabel, types.map(options.typeLabel), UNIT_TYPES.map(options.typeLabel)]);
  const hit = cache.get(key);
  if (hit) return hit;
  const section = await protectedSection(participation, typeOf, types, options);
  cache.set(key, section);
  if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
  return section;
}

/** Pure apart from the solver: the section's counts, suppressed and audited. */
export async function protectedSection(participation: NetworkParticipation, typeOf: (unitId: string) => string, reportTypes: readonly string[], options: NetworkSectionOptions): Promise<NetworkSection> {
  const counts = new Map<string, Record<Field, number>>();
  const add = (scope: string, person: { attended: number; completed: number }) => {
    const c = counts.get(scope) ?? { participants: 0, attended: 0, completed: 0 };
    c.participants += 1;
    c.attended += person.attended;
    c.completed += person.completed;
    counts.set(scope, c);
  };
  for (const person of participation.people) {
    add(`t:${typeOf(person.unitId)}`, person);
    add('all', person);
  }
  const types = [...new Set([...reportTypes, ...[...counts.keys()].filter((s) => s.startsWith('t:')).map((s) => s.slice(2))])];
  const scopes = [...types.map((t) => `t:${t}`), 'all'];
  const valueOf = (scope: string, field: Field) => counts.get(scope)?.[field] ?? 0;

  const table = new CellTable();
  for (const scope of scopes) {
    const group = valueOf(scope, 'participants');
    for (const field of FIELDS) {
      // With no gathering held, attendances and completions are 0 by rule: known, nothing to protect.
      const known = field !== 'participants' && participation.gatheringsHeld === 0;
      table.cell(`${scope}|${field}`, valueOf(scope, field), { primary: !known && isSmall(valueOf(scope, field), group), known });
    }
  }
  for (const field of FIELDS) table.equation(table.id(`all|${field}`)!, types.map((t) => table.id(`t:${t}|${field}`)!));
  const id = (scope: string, field: Field) => table.id(`${scope}|${field}`)!;

  // What a reader can add beyond the sums (all true of the data, so they only make the audit stricter).
  const inequalities: Relation[] = [];
  const staffVars: number[] = [];
  const truth = [...table.values];
  for (const scope of scopes) {
    inequalities.push({ terms: [[id(scope, 'attended'), 1], [id(scope, 'participants'), -participation.gatheringsHeld]], lower: -Infinity, upper: 0 });
    inequalities.push({ terms: [[id(scope, 'completed'), 1], [id(scope, 'attended'), -1]], lower: -Infinity, upper: 0 });
    const staff = options.publishedStaff.get(scope);
    // Participants come from the staff, so a shown staff count bounds them (when it does: someone
    // appointed who has since left may make it untrue, and a reader assuming it would be wrong).
    if (staff !== null && staff !== undefined && valueOf(scope, 'participants') <= staff) {
      const v = table.values.length + staffVars.length;
      staffVars.push(v);
      truth.push(staff);
      inequalities.push({ terms: [[v, 1]], lower: staff, upper: staff }, { terms: [[id(scope, 'participants'), 1], [v, -1]], lower: -Infinity, upper: 0 });
    }
  }
  const publication = (out: readonly boolean[]): Publication => {
    const base = tablePublication(table, out);
    return { ...base, variables: truth.length, relations: [...base.relations, ...inequalities], truth };
  };

  let out = (await protectTable(table)).out;
  const started = performance.now();
  const passes = async (hidden: readonly boolean[]) => {
    try {
      const audit = await auditPublication(publication(hidden), { deadline: started + GATE_BUDGET_MS });
      if (audit.failures.length) options.onEscalation?.(audit.failures);
      return !audit.failures.length;
    } catch (err) {
      if (!(err instanceof AuditDeadlineError)) throw err;
      return false;
    }
  };
  // A failed gate hides every type row, then every count (which passes: each hidden count can then be
  // anything from 0 to a bound of 5 or more — a shown staff count is 5 or more).
  let escalated = false;
  for (const widen of [(name: string) => name.startsWith('t:'), () => true]) {
    if (await passes(out)) break;
    escalated = true;
    out = out.map((hidden, i) => hidden || (widen(table.names[i]!) && !table.known[i]));
  }

  const row = (scope: string): NetworkSectionRow => {
    const type = scope === 'all' ? null : scope.slice(2);
    const figure = (field: Field): Figure => ({ value: valueOf(scope, field), suppressed: out[id(scope, field)]! });
    return { scope, type, label: type ? options.typeLabel(type) : options.municipalityLabel, participants: figure('participants'), attended: figure('attended'), completed: figure('completed') };
  };
  return {
    networks: participation.networks,
    openNetworks: participation.openNetworks,
    gatheringsHeld: participation.gatheringsHeld,
    types: types.map((t) => row(`t:${t}`)).sort((a, b) => a.label.localeCompare(b.label, 'nb')),
    total: row('all'),
    escalated,
  };
}
