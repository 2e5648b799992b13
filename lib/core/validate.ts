import type { z } from 'zod';
import { validationFailed, type FieldProblem } from './errors';

/** Names only field names that look like ones (a key may itself be a pasted secret). */
function unknownFields(keys: string[]): string {
  const named = keys.filter((k) => /^[a-z][A-Za-z]{0,23}$/.test(k));
  const others = keys.length - named.length;
  return `unknown field(s): ${[...named, ...(others ? [`${others} other(s)`] : [])].join(', ')}`;
}

/**
 * Parses an input with a zod schema, or throws `ValidationFailed` listing `{path, problem}` per
 * issue. Problems describe the rule, never echo the value (it may be a secret).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const i of r.error.issues) {
    const path = i.path.map((p) => String(p).slice(0, 64)).join('.') || '(body)';
    if (seen.has(path)) continue; // the first rule a field breaks is the one to fix
    seen.add(path);
    problems.push({ path, problem: i.code === 'unrecognized_keys' ? unknownFields(i.keys) : i.message });
    if (problems.length >= 20) break;
  }
  throw validationFailed(problems);
}
