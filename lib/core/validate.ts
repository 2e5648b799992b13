import type { z } from 'zod';
import { validationFailed, type FieldProblem } from './errors';

/**
 * Parses an input with a zod schema, or throws `ValidationFailed` listing `{path, problem}` per
 * issue. Problems describe the rule, never echo the value (it may be a secret).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems: FieldProblem[] = r.error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    problem: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.map((k) => k.slice(0, 40)).join(', ')}` : i.message,
  }));
  throw validationFailed(problems);
}
