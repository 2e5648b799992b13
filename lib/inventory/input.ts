/**
 * Input checks of the inventory's operations. Query values arrive as strings over HTTP and as
 * JSON values by direct invocation; both are accepted where the meaning is the same. Unknown
 * fields are refused (a misspelt filter must not silently list everything). Problems describe
 * the rule, never the value.
 */
import { validationFailed, type FieldProblem } from '../core/errors';

export type Field =
  | { kind: 'string'; re: RegExp; max: number; problem: string; optional?: boolean }
  | { kind: 'int'; min: number; max: number; problem: string; optional?: boolean }
  | { kind: 'bool'; problem: string; optional?: boolean }
  | { kind: 'strings'; re: RegExp; max: number; maxItems: number; problem: string; optional?: boolean };

type Out<F extends Field> = F extends { kind: 'int' }
  ? number
  : F extends { kind: 'bool' }
    ? boolean
    : F extends { kind: 'strings' }
      ? string[]
      : string;
export type Parsed<S extends Record<string, Field>> = {
  [K in keyof S]: S[K] extends { optional: true } ? Out<S[K]> | undefined : Out<S[K]>;
};

/** Field names are echoed only when they look like field names (a key may be a pasted secret). */
const shownName = (k: string) => (/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(k) ? k : '(field)');

export function parseFields<S extends Record<string, Field>>(schema: S, input: unknown): Parsed<S> {
  const src =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src))
    if (!Object.hasOwn(schema, k))
      problems.push({ path: shownName(k), problem: 'is not a parameter of this operation' });
  for (const [name, f] of Object.entries(schema)) {
    const v = src[name];
    if (v === undefined || v === '') {
      if (!f.optional) problems.push({ path: name, problem: 'is required' });
      continue;
    }
    const bad = () => problems.push({ path: name, problem: f.problem });
    switch (f.kind) {
      case 'string':
        if (typeof v !== 'string' || v.length > f.max || !f.re.test(v)) bad();
        else out[name] = v;
        break;
      case 'int': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
        if (!Number.isInteger(n) || n < f.min || n > f.max) bad();
        else out[name] = n;
        break;
      }
      case 'bool':
        if (v === true || v === 'true') out[name] = true;
        else if (v === false || v === 'false') out[name] = false;
        else bad();
        break;
      case 'strings':
        if (
          !Array.isArray(v) ||
          v.length === 0 ||
          v.length > f.maxItems ||
          !v.every((x) => typeof x === 'string' && x.length <= f.max && f.re.test(x)) ||
          new Set(v).size !== v.length
        )
          bad();
        else out[name] = v;
        break;
    }
  }
  if (problems.length) throw validationFailed(problems.slice(0, 20));
  return out as Parsed<S>;
}

/** A cursor is opaque: only its size and alphabet are checked here; the store checks the rest. */
export const CURSOR = {
  kind: 'string',
  re: /^[\x21-\x7e]+$/,
  max: 4096,
  problem: 'is not a cursor this API returned',
  optional: true,
} as const satisfies Field;
