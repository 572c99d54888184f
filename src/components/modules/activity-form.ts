import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { zodProblems } from './problems.js';

/**
 * The author's form for an activity, made from the kind's zod `settingsSchema` alone, so a new kind
 * gets its form without code here: strings become text fields (long ones text areas), numbers number
 * fields, booleans checkboxes, enums selects, arrays of strings or of objects repeated rows. Field
 * names are the setting's path with dots (`questions.0.options.1.text`): the body parser reads flat
 * names, and the same path keys the labels, the errors and the element ids.
 *
 * Reading the form back aims at the block as an author would have written it by hand: values that
 * equal the schema's default are left out unless the block already had them, keys keep the block's
 * order, settings the form does not know are kept, and multi-line text is written as a `|` block.
 */

/** Text longer than this may be paragraphs: a text area instead of a one-line field. */
const TEXTAREA_FROM = 500;
/** No form has more rows than this in one list (the schemas' own limits are lower). */
const MAX_ROWS = 100;

interface SpecBase {
  key: string;
  /** The author may leave it out (optional, or it has a default); a kind's refinements may still ask for it (a quiz option's explanation), so the form does not mark it. */
  optional: boolean;
  /** The schema's default, when it has one (a value equal to it is not written for a new setting). */
  defaultValue?: unknown;
}
export interface ScalarSpec extends SpecBase {
  type: 'text' | 'textarea' | 'number' | 'boolean' | 'enum';
  options?: readonly string[];
  min?: number;
  max?: number;
}
export interface ListSpec extends SpecBase {
  type: 'list';
  item: ScalarSpec;
  minItems: number;
  maxItems: number;
}
export interface GroupSpec extends SpecBase {
  type: 'group';
  fields: FieldSpec[];
  minItems: number;
  maxItems: number;
}
export type FieldSpec = ScalarSpec | ListSpec | GroupSpec;

export class ActivityFormError extends Error {
  override readonly name = 'ActivityFormError';
}

function lengthLimits(schema: z.ZodArray): { minItems: number; maxItems: number } {
  let minItems = 0;
  let maxItems = MAX_ROWS;
  for (const check of schema.def.checks ?? []) {
    const def = check._zod.def as { check?: string; minimum?: number; maximum?: number };
    if (def.check === 'min_length' && typeof def.minimum === 'number') minItems = def.minimum;
    if (def.check === 'max_length' && typeof def.maximum === 'number') maxItems = Math.min(def.maximum, MAX_ROWS);
  }
  return { minItems, maxItems };
}

function specOf(key: string, schema: z.ZodType): FieldSpec {
  let inner: z.ZodType = schema;
  let optional = false;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodDefault) {
      optional = true;
      defaultValue = inner.def.defaultValue;
      inner = inner.unwrap() as z.ZodType;
    } else break;
  }
  const base = { key, optional, ...(defaultValue === undefined ? {} : { defaultValue }) };
  if (inner instanceof z.ZodString) {
    const max = inner.maxLength ?? undefined;
    return { ...base, type: max !== undefined && max <= TEXTAREA_FROM ? 'text' : 'textarea', ...(max === undefined ? {} : { max }) };
  }
  if (inner instanceof z.ZodNumber) {
    return { ...base, type: 'number', ...(Number.isFinite(inner.minValue) ? { min: inner.minValue! } : {}), ...(Number.isFinite(inner.maxValue) ? { max: inner.maxValue! } : {}) };
  }
  if (inner instanceof z.ZodBoolean) return { ...base, type: 'boolean' };
  if (inner instanceof z.ZodEnum) return { ...base, type: 'enum', options: inner.options.map(String) };
  if (inner instanceof z.ZodArray) {
    const element = inner.element as z.ZodType;
    if (element instanceof z.ZodObject) return { ...base, type: 'group', fields: objectSpecs(element), ...lengthLimits(inner) };
    const item = specOf('', element);
    if (item.type === 'list' || item.type === 'group') throw new ActivityFormError(`${key}: lists of lists have no form`);
    return { ...base, type: 'list', item, ...lengthLimits(inner) };
  }
  throw new ActivityFormError(`${key}: a ${inner.constructor.name} setting has no form field`);
}

function objectSpecs(schema: z.ZodObject): FieldSpec[] {
  return Object.entries(schema.shape).map(([key, value]) => specOf(key, value as z.ZodType));
}

/** The form's fields for a kind's settings schema (an object schema, refinements allowed). */
export function formSpec(schema: z.ZodType): FieldSpec[] {
  if (!(schema instanceof z.ZodObject)) throw new ActivityFormError('an activity settings schema must be an object');
  return objectSpecs(schema);
}

// ---------------------------------------------------------------------------------------------
// Form body → settings

/** The posted form: flat names with dots, as the urlencoded parser gives them. */
export type FormBody = Readonly<Record<string, unknown>>;

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

function posted(body: FormBody, name: string): string | undefined {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  if (typeof value === 'string') return value;
  // A name sent twice (a stale page, a crafted post): the first value is what the field showed.
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** How many rows a list posted: one past the highest row number any of its fields carries. */
function rowCount(body: FormBody, name: string): number {
  const pattern = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)(?:\\.|$)`);
  let count = 0;
  for (const key of Object.keys(body)) {
    const match = pattern.exec(key);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.min(count, MAX_ROWS);
}

function readScalar(spec: ScalarSpec, raw: string | undefined, original: unknown): unknown {
  if (spec.type === 'boolean') return raw !== undefined;
  const value = (raw ?? '').replace(/\r\n?/g, '\n').trim();
  if (value === '') return undefined;
  if (spec.type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (spec.type === 'enum') return value;
  // Hand-written blocks end multi-line text with a newline (a `|` block); keep that form, and
  // keep a one-line `|` block as it was.
  return value.includes('\n') || (typeof original === 'string' && original.endsWith('\n')) ? `${value}\n` : value;
}

function readField(spec: FieldSpec, body: FormBody, name: string, original: unknown): unknown {
  if (spec.type === 'list') {
    const old = Array.isArray(original) ? original : [];
    // An empty row stays (as '') so the error can be shown beside it.
    return Array.from({ length: rowCount(body, name) }, (_, i) => readScalar(spec.item, posted(body, `${name}.${i}`), old[i]) ?? '');
  }
  if (spec.type === 'group') {
    const old = Array.isArray(original) ? original : [];
    return Array.from({ length: rowCount(body, name) }, (_, i) => readObject(spec.fields, body, `${name}.${i}`, old[i]));
  }
  return readScalar(spec, posted(body, name), original);
}

function readObject(fields: readonly FieldSpec[], body: FormBody, prefix: string, original: unknown): Plain {
  const old = isPlain(original) ? original : {};
  const read: Plain = {};
  for (const spec of fields) {
    const value = readField(spec, body, prefix ? `${prefix}.${spec.key}` : spec.key, old[spec.key]);
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0 && spec.optional && !Object.hasOwn(old, spec.key)) continue;
    if (spec.defaultValue !== undefined && isDeepStrictEqual(value, spec.defaultValue) && !Object.hasOwn(old, spec.key)) continue;
    read[spec.key] = value;
  }
  // The block's own order first, with settings the form does not show kept where they were.
  const known = new Set(fields.map((f) => f.key));
  const out: Plain = {};
  for (const key of Object.keys(old)) {
    if (Object.hasOwn(read, key)) out[key] = read[key];
    else if (!known.has(key)) out[key] = old[key];
  }
  for (const [key, value] of Object.entries(read)) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/**
 * The settings a posted form describes. `original` is the block being edited (its raw YAML data),
 * or undefined for a new one.
 */
export function readActivityForm(fields: readonly FieldSpec[], body: FormBody, original?: unknown): Plain {
  return readObject(fields, body, '', original);
}

// ---------------------------------------------------------------------------------------------
// Row operations without JavaScript: a submit button named `_op` with `add:<list path>`,
// `remove:<row path>`, `up:<row path>` or `down:<row path>`.

export type RowOperation = { op: 'add'; path: string[] } | { op: 'remove' | 'up' | 'down'; path: string[]; index: number };

export function parseRowOperation(value: string): RowOperation | null {
  const match = /^(add|remove|up|down):([A-Za-z0-9_.-]{1,200})$/.exec(value);
  if (!match) return null;
  const path = match[2]!.split('.');
  if (match[1] === 'add') return { op: 'add', path };
  const index = Number(path.pop());
  if (!Number.isInteger(index) || index < 0 || path.length === 0) return null;
  return { op: match[1] as 'remove' | 'up' | 'down', path, index };
}

/** The spec of the list at `path` (row numbers skipped), or undefined. */
function listSpecAt(fields: readonly FieldSpec[], path: readonly string[]): ListSpec | GroupSpec | undefined {
  let current: readonly FieldSpec[] = fields;
  let found: FieldSpec | undefined;
  for (let i = 0; i < path.length; i += 1) {
    found = current.find((f) => f.key === path[i]);
    if (!found) return undefined;
    if (i === path.length - 1) break;
    if (found.type !== 'group' || !/^\d+$/.test(path[i + 1] ?? '')) return undefined;
    current = found.fields;
    i += 1;
  }
  return found && (found.type === 'list' || found.type === 'group') ? found : undefined;
}

/** Applies a row operation to the settings read from the form; an operation that does not fit does nothing. */
export function applyRowOperation(fields: readonly FieldSpec[], data: Plain, operation: RowOperation): void {
  const spec = listSpecAt(fields, operation.path);
  if (!spec) return;
  let holder: unknown = data;
  for (const key of operation.path.slice(0, -1)) holder = isPlain(holder) ? holder[key] : Array.isArray(holder) ? holder[Number(key)] : undefined;
  if (!isPlain(holder)) return;
  const key = operation.path[operation.path.length - 1]!;
  const rows: unknown[] = Array.isArray(holder[key]) ? (holder[key] as unknown[]) : [];
  if (operation.op === 'add') {
    if (rows.length < spec.maxItems) rows.push(spec.type === 'group' ? {} : '');
  } else {
    const i = operation.index;
    if (i >= rows.length) return;
    if (operation.op === 'remove') rows.splice(i, 1);
    else {
      const j = operation.op === 'up' ? i - 1 : i + 1;
      if (j < 0 || j >= rows.length) return;
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
  }
  holder[key] = rows;
}

// ---------------------------------------------------------------------------------------------
// Settings → the form's view-model

/** A message beside a field: a locale key and its parameters. */
export interface FieldMessage {
  key: string;
  params: Record<string, string | number>;
}

export interface FieldView {
  type: FieldSpec['type'];
  /** The posted name (`questions.0.text`) and the element id made from it. */
  name: string;
  id: string;
  label: string;
  hint: string;
  required: boolean;
  /** Text, number or enum value as it will be shown. */
  value: string;
  checked: boolean;
  options: readonly string[];
  min?: number;
  max?: number;
  error: FieldMessage | null;
  /** For lists and groups: the rows, and whether one more may be added. */
  rows: RowView[];
  canAdd: boolean;
}

export interface RowView {
  name: string;
  id: string;
  legend: string;
  /** A group row's fields, or a list row's one field. */
  fields: FieldView[];
  error: FieldMessage | null;
  canRemove: boolean;
  canUp: boolean;
  canDown: boolean;
}

/** Turns a path into an element id (dots are not welcome in `#fragment` links and CSS). */
export const fieldId = (name: string) => `af-${name.replace(/\./g, '-')}`;

type Translate = (key: string | string[], options?: Record<string, unknown>) => string;

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value.endsWith('\n') ? value.slice(0, -1) : value;
  if (typeof value === 'number') return String(value);
  return '';
}

interface ViewInput {
  kind: string;
  t: Translate;
  errors: Readonly<Record<string, FieldMessage>>;
}

/** The checker's texts name the YAML path; beside a field the field's label reads better. */
function withField(message: FieldMessage | undefined, label: string): FieldMessage | null {
  return message ? { key: message.key, params: { ...message.params, field: label } } : null;
}

function labelsOf(input: ViewInput, keyPath: string): { label: string; hint: string } {
  // A kind's own text first; the settings every kind has (id, required) share theirs.
  const keys = (what: string) => [`activities:form.${input.kind}.${keyPath}.${what}`, `activities:form.common.${keyPath}.${what}`];
  return { label: input.t(keys('label')), hint: input.t(keys('hint')) };
}

function fieldView(input: ViewInput, spec: FieldSpec, name: string, keyPath: string, value: unknown): FieldView {
  const { label, hint } = labelsOf(input, keyPath);
  const view: FieldView = {
    type: spec.type,
    name,
    id: fieldId(name),
    label,
    hint,
    required: !spec.optional,
    value: '',
    checked: false,
    options: [],
    error: withField(input.errors[name], label),
    rows: [],
    canAdd: false,
  };
  if (spec.type === 'list' || spec.type === 'group') {
    const rows = Array.isArray(value) ? value : [];
    view.canAdd = rows.length < spec.maxItems;
    view.rows = rows.map((row, i) => {
      const rowName = `${name}.${i}`;
      const fields =
        spec.type === 'group'
          ? spec.fields.map((f) => fieldView(input, f, `${rowName}.${f.key}`, `${keyPath}.${f.key}`, isPlain(row) ? row[f.key] : undefined))
          : [{ ...fieldView(input, spec.item, rowName, keyPath, row), label: input.t('authoring:activityForm.row', { label, number: i + 1 }), hint: '' }];
      return {
        name: rowName,
        id: fieldId(rowName),
        legend: input.t('authoring:activityForm.row', { label, number: i + 1 }),
        fields,
        error: spec.type === 'group' ? withField(input.errors[rowName], input.t('authoring:activityForm.row', { label, number: i + 1 })) : null,
        canRemove: rows.length > spec.minItems,
        canUp: i > 0,
        canDown: i < rows.length - 1,
      };
    });
    return view;
  }
  if (spec.type === 'boolean') view.checked = value === undefined ? spec.defaultValue === true : value === true;
  else view.value = value === undefined && spec.defaultValue !== undefined ? scalarText(spec.defaultValue) : scalarText(value);
  if (spec.options) view.options = spec.options;
  if (spec.min !== undefined) view.min = spec.min;
  if (spec.max !== undefined) view.max = spec.max;
  return view;
}

/** The form's fields with their values (raw settings data), labels, hints and errors (keyed by field name). */
export function activityFormView(kind: string, fields: readonly FieldSpec[], data: unknown, errors: Readonly<Record<string, FieldMessage>>, t: Translate): FieldView[] {
  const values = isPlain(data) ? data : {};
  return fields.map((spec) => fieldView({ kind, t, errors }, spec, spec.key, spec.key, values[spec.key]));
}

/** A new block's form: each list starts with as many empty rows as it needs (a quiz: one question with two options). */
export function initialData(fields: readonly FieldSpec[]): Plain {
  const data: Plain = {};
  for (const spec of fields) {
    if (spec.type === 'group' && spec.minItems > 0) data[spec.key] = Array.from({ length: spec.minItems }, () => initialData(spec.fields));
    else if (spec.type === 'list' && spec.minItems > 0) data[spec.key] = Array.from({ length: spec.minItems }, () => '');
  }
  return data;
}

/** Every label key path of a kind's form (for the test that each has its label and hint). */
export function labelPaths(fields: readonly FieldSpec[], prefix = ''): string[] {
  return fields.flatMap((spec) => {
    const path = prefix ? `${prefix}.${spec.key}` : spec.key;
    return spec.type === 'group' ? [path, ...labelPaths(spec.fields, path)] : [path];
  });
}

/**
 * Validates settings read from the form with the kind's own schema. The errors are keyed by field
 * name (`questions.0.text`; a row's own problem by the row, one about the whole activity by '') and
 * use the same texts as the module checker.
 */
export function validateActivityForm(schema: z.ZodType, data: Plain): { ok: true } | { ok: false; errors: Record<string, FieldMessage> } {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true };
  const errors: Record<string, FieldMessage> = {};
  for (const issue of result.error.issues) {
    const name = issue.path.map(String).join('.');
    if (errors[name]) continue;
    const [found] = zodProblems([issue], data, '', () => 0, '');
    if (found) errors[name] = { key: `authoring:problems.${found.code}`, params: found.params };
  }
  return { ok: false, errors };
}
