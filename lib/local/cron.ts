/**
 * FC 3.0 timer schedules: 6-field cron (`sec min hour dom mon dow`, UTC) and `@every 5m`.
 * Small on purpose: numbers, `*`, `?`, ranges `a-b`, steps `x/n`, lists `a,b`, and
 * month/day names. Dom and dow combine with OR when both are restricted, as in cron.
 */

export interface Schedule {
  /** First firing strictly after `afterMs` (epoch ms). */
  next(afterMs: number): number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(field: string, min: number, max: number, names?: string[], nameBase = 0): Set<number> {
  const out = new Set<number>();
  const num = (s: string): number => {
    const i = names ? names.indexOf(s.toUpperCase()) : -1;
    const n = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron: "${s}" is outside ${min}-${max}`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [num(a), num(b)];
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo > hi) throw new Error(`cron: empty range "${part}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseEvery(text: string): number {
  let total = 0;
  let rest = text.trim();
  while (rest) {
    const m = /^(\d+)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`cron: bad @every duration "${text}"`);
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    rest = rest.slice(m[0].length);
  }
  if (total <= 0) throw new Error(`cron: bad @every duration "${text}"`);
  return total;
}

/**
 * Parses a timer trigger's `cronExpression`. `@every` schedules count from `originMs`
 * (when the host started), like FC counts from when the trigger was created.
 */
export function parseSchedule(expr: string, originMs = Date.now()): Schedule {
  const text = expr.trim().replace(/^CRON_TZ=\S+\s+/, '');
  if (text.startsWith('@every')) {
    const period = parseEvery(text.slice('@every'.length));
    return { next: (after) => originMs + (Math.floor((after - originMs) / period) + 1) * period };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) throw new Error(`cron: "${expr}" needs 6 fields (sec min hour dom mon dow)`);
  const [secF = '', minF = '', hourF = '', domF = '', monF = '', dowF = ''] = fields;
  const sec = parseField(secF, 0, 59);
  const min = parseField(minF, 0, 59);
  const hour = parseField(hourF, 0, 23);
  const dom = parseField(domF, 1, 31);
  const mon = parseField(monF, 1, 12, MONTHS, 1);
  const dow = new Set([...parseField(dowF.replace(/\b7\b/g, '0'), 0, 6, DAYS, 0)]);
  const domAny = domF === '*' || domF === '?';
  const dowAny = dowF === '*' || dowF === '?';
  const dayMatches = (d: Date) => {
    const a = dom.has(d.getUTCDate());
    const b = dow.has(d.getUTCDay());
    if (domAny && dowAny) return true;
    if (domAny) return b;
    if (dowAny) return a;
    return a || b;
  };
  return {
    next(after) {
      const d = new Date(Math.floor(after / 1000) * 1000 + 1000);
      // Walk forward field by field; bounded to ~5 years of searching.
      for (let guard = 0; guard < 200_000; guard++) {
        if (!mon.has(d.getUTCMonth() + 1)) {
          d.setUTCMonth(d.getUTCMonth() + 1, 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(d)) {
          d.setUTCDate(d.getUTCDate() + 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.has(d.getUTCHours())) {
          d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!min.has(d.getUTCMinutes())) {
          d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        if (!sec.has(d.getUTCSeconds())) {
          d.setUTCSeconds(d.getUTCSeconds() + 1, 0);
          continue;
        }
        return d.getTime();
      }
      throw new Error(`cron: "${expr}" never fires`);
    },
  };
}
