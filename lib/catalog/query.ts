/**
 * Query and path parameter checks for the catalog's GET routes. Plain regexes instead of zod:
 * listing is the hot path and zod's module init costs more than the whole request.
 */
import { validationFailed, type FieldProblem } from '../core/errors';

export interface Rule {
  re: RegExp;
  problem: string;
  optional?: boolean;
}
export type Rules = Record<string, Rule>;

type Parsed<R extends Rules> = { [K in keyof R]: R[K] extends { optional: true } ? string | undefined : string };

/** The named string parameters of `input`, checked; other fields are ignored (query strings carry extras). */
export function parseQuery<R extends Rules>(rules: R, input: unknown): Parsed<R> {
  const src = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const out: Record<string, string | undefined> = {};
  const problems: FieldProblem[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const v = src[name];
    if (v === undefined || v === '') {
      if (!rule.optional) problems.push({ path: name, problem: 'is required' });
      continue;
    }
    if (typeof v !== 'string' || v.length > 128 || !rule.re.test(v))
      problems.push({ path: name, problem: rule.problem });
    else out[name] = v;
  }
  if (problems.length) throw validationFailed(problems);
  return out as Parsed<R>;
}
