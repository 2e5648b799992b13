import type { z } from 'zod';
import { validationFailed, type FieldProblem } from './errors';

/** Names only field names that look like ones (a key may itself be a pasted secret). */
function unknownFields(keys: string[]): string {
  const named = keys.filter((k) => /^[a-z][A-Za-z]{0,23}$/.test(k));
  const others = keys.length - named.length;
  return `unknown field(s): ${[...named, ...(others ? [`${others} other(s)`] : [])].join(', ')}`;
}

/** Keys that name an object's prototype machinery: zod drops `__proto__` from records silently. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `a.b.0.c`; each key cut to 64 characters and a deep path to its ends, so a path stays short. */
function pathText(path: readonly PropertyKey[]): string {
  const keys = path.map((p) => String(p).slice(0, 64));
  const shown = keys.length > 8 ? [...keys.slice(0, 3), '…', ...keys.slice(-4)] : keys;
  return shown.join('.') || '(body)';
}

/**
 * Where `input` (parsed JSON: plain objects and arrays) has an own key from `RESERVED_KEYS`, at
 * any depth. Iterative: a 64 KiB body can nest thousands of levels deep.
 */
export function reservedKeyPaths(input: unknown, max = 20): string[] {
  // Paths as parent links, so a deep body costs memory in proportion to its size, not its depth squared.
  type At = { key: string; up: At | undefined } | undefined;
  const keysOf = (at: At) => {
    const keys: string[] = [];
    for (let a = at; a; a = a.up) keys.unshift(a.key);
    return keys;
  };
  const found: string[] = [];
  const todo: Array<[unknown, At]> = [[input, undefined]];
  while (todo.length && found.length < max) {
    const [v, at] = todo.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const here = { key, up: at };
      if (!isArray && RESERVED_KEYS.has(key)) found.push(pathText(keysOf(here)));
      todo.push([(v as Record<string, unknown>)[key], here]);
    }
  }
  return found;
}

/**
 * Parses an input with a zod schema, or throws `ValidationFailed` listing `{path, problem}` per
 * broken rule. Problems describe the rule, never echo the value (it may be a secret). Prototype keys
 * are refused before the schema sees them, wherever they are.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const reserved = reservedKeyPaths(input);
  if (reserved.length)
    throw validationFailed(
      reserved.map((path) => ({
        path,
        problem: 'is a reserved name (__proto__, constructor and prototype are not keys)',
      })),
    );
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const i of r.error.issues) {
    const path = pathText(i.path);
    if (seen.has(path)) continue; // the first rule a field breaks is the one to fix
    seen.add(path);
    problems.push({ path, problem: i.code === 'unrecognized_keys' ? unknownFields(i.keys) : i.message });
    if (problems.length >= 20) break;
  }
  throw validationFailed(problems);
}
