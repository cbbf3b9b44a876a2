import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ingestDefaults, ingestParamsSchema } from '../ingest/params.ts';
import { UsageError } from '../base/errors.ts';
import {
  declarationsDefaults,
  declarationsParamsSchema,
  mirrorDefaults,
  mirrorParamsSchema,
  runDefaults,
  runParamsSchema,
  transshipmentDefaults,
  transshipmentParamsSchema,
} from './params.ts';
import { scheduleDefaults, scheduleParamsSchema } from './schedule-params.ts';
import { fetchDefaults, fetchParamsSchema } from './fetch-params.ts';

/** The whole configuration: one slice per stage family; later pipelines add theirs here. */
export const configSchema = z
  .object({
    ingest: ingestParamsSchema,
    run: runParamsSchema,
    mirror: mirrorParamsSchema,
    transshipment: transshipmentParamsSchema,
    declarations: declarationsParamsSchema,
    schedule: scheduleParamsSchema,
    fetch: fetchParamsSchema,
  })
  .strict();

/** Resolved, validated configuration. */
export type Config = z.infer<typeof configSchema>;

/** Defaults for every key (what `tradewatch config --defaults` prints). */
export const configDefaults: Config = {
  ingest: ingestDefaults,
  run: runDefaults,
  mirror: mirrorDefaults,
  transshipment: transshipmentDefaults,
  declarations: declarationsDefaults,
  schedule: scheduleDefaults,
  fetch: fetchDefaults,
};

/**
 * Resolves configuration: defaults ← file ← `--set` overrides, validated, frozen.
 * `file` is the parsed content of a config file (YAML or JSON) and `fileName` its path for messages.
 * Throws {@link UsageError} naming the key for an unknown key or a wrong type.
 */
export function resolveConfig(opts: { file?: unknown; fileName?: string; sets?: readonly string[] }): Config {
  const where = opts.fileName ? `config ${opts.fileName}` : 'config';
  let merged: unknown = structuredClone(configDefaults);
  if (opts.file !== undefined && opts.file !== null) {
    if (!isPlainObject(opts.file)) throw new UsageError(`${where}: the top level must be a mapping of keys`);
    forbidUnsafeKeys(opts.file, where);
    merged = deepMerge(merged, opts.file);
  }
  for (const s of opts.sets ?? []) merged = applySet(merged, s);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new UsageError(`${where}: ${describeIssue(parsed.error.issues[0], merged)}`);
  return deepFreeze(parsed.data);
}

/** A stable hash of a resolved config (sorted keys), recorded in manifests to decide whether a run can be skipped. */
export function hashConfig(config: unknown): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal configs give equal text. */
export function stableStringify(v: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(v), null, indent);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

function applySet(target: unknown, assignment: string): unknown {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set '${assignment}': expected key=value, e.g. --set ingest.maxRejectRate=0.05`);
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw); // numbers, booleans, arrays and objects; anything else stays text
  } catch {
    value = raw;
  }
  const path = key.split('.');
  const unsafe = path.find((p) => UNSAFE_KEYS.has(p));
  if (unsafe !== undefined) throw new UsageError(`--set ${key}: '${unsafe}' is not a config key (refused: it would reach the object prototype)`);
  forbidUnsafeKeys(value, `--set ${key}`);
  const root = target as Record<string, unknown>;
  let node: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]];
    if (next === undefined) node[path[i]] = {};
    else if (!isPlainObject(next)) throw new UsageError(`--set ${key}: '${path.slice(0, i + 1).join('.')}' is not a section`);
    node = node[path[i]] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = isPlainObject(value) && isPlainObject(node[path[path.length - 1]])
    ? deepMerge(node[path[path.length - 1]], value)
    : value;
  return root;
}

/** Keys that would reach `Object.prototype` through a merge or a dotted `--set` path; no config key is named so. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses {@link UNSAFE_KEYS} anywhere in a file's content or a `--set` value (JSON can spell `"__proto__"` as an own key). */
function forbidUnsafeKeys(v: unknown, where: string, at: string[] = []): void {
  if (Array.isArray(v)) v.forEach((x, i) => forbidUnsafeKeys(x, where, [...at, String(i)]));
  else if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      if (UNSAFE_KEYS.has(k)) throw new UsageError(`${where}: key '${[...at, k].join('.')}' is not a config key (refused: it would reach the object prototype)`);
      forbidUnsafeKeys(v[k], where, [...at, k]);
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue, merged: unknown): string {
  const path = issue.path.map(String);
  const at = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    const valid = validKeysAt(path);
    return `unknown key '${keys.join("', '")}'${valid.length ? ` (valid keys here: ${valid.join(', ')})` : ''}`;
  }
  if (issue.code === 'invalid_type') {
    const got = valueAt(merged, path);
    if (got === undefined) return `missing key '${at}' (expected ${issue.expected})`;
    return `'${at}' must be ${issue.expected}, not ${describeValue(got)}`;
  }
  return `'${at}': ${issue.message}`;
}

function validKeysAt(path: string[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const p of path) {
    const s = unwrap(schema);
    if (s instanceof z.ZodObject) schema = (s.shape as Record<string, z.ZodType>)[p];
    else if (s instanceof z.ZodRecord) schema = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) schema = s.element as z.ZodType; // p is the item's index
    else return [];
    if (!schema) return [];
  }
  const s = unwrap(schema);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  while (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function valueAt(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text '${v}'`;
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : structuredClone(v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
