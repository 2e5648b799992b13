import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSchedule } from '../../lib/local/cron';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, from: string) => new Date(parseSchedule(expr, at(from)).next(at(from))).toISOString();

test('every minute at second 0', () => {
  assert.is(next('0 * * * * *', '2026-01-01T00:00:30.000Z'), '2026-01-01T00:01:00.000Z');
  assert.is(next('0 * * * * *', '2026-01-01T00:01:00.000Z'), '2026-01-01T00:02:00.000Z');
});

test('hourly, steps, ranges and lists', () => {
  assert.is(next('0 0 * * * *', '2026-01-01T00:00:30.000Z'), '2026-01-01T01:00:00.000Z');
  assert.is(next('*/15 * * * * *', '2026-01-01T00:00:30.000Z'), '2026-01-01T00:00:45.000Z');
  assert.is(next('0 0/20 * * * *', '2026-01-01T00:21:00.000Z'), '2026-01-01T00:40:00.000Z');
  assert.is(next('0 0 8,20 * * *', '2026-01-01T09:00:00.000Z'), '2026-01-01T20:00:00.000Z');
});

test('day of week by name, month rollover, and dom OR dow', () => {
  // 2026-01-01 is a Thursday.
  assert.is(next('0 30 9 * * MON-FRI', '2026-01-01T10:00:00.000Z'), '2026-01-02T09:30:00.000Z');
  assert.is(next('0 30 9 ? * SAT', '2026-01-01T10:00:00.000Z'), '2026-01-03T09:30:00.000Z');
  assert.is(next('0 0 0 1 * *', '2026-01-15T00:00:00.000Z'), '2026-02-01T00:00:00.000Z');
  assert.is(next('0 0 0 1 FEB *', '2026-03-01T00:00:00.000Z'), '2027-02-01T00:00:00.000Z');
  assert.is(next('0 0 0 15 * MON', '2026-01-01T00:00:00.000Z'), '2026-01-05T00:00:00.000Z');
});

test('@every counts from the origin', () => {
  const origin = at('2026-01-01T00:00:00.000Z');
  const s = parseSchedule('@every 1m', origin);
  assert.is(s.next(origin) - origin, 60_000);
  assert.is(s.next(origin + 60_000) - origin, 120_000);
  assert.is(parseSchedule('@every 1h30m', origin).next(origin) - origin, 5_400_000);
  assert.is(parseSchedule('@every 500ms', origin).next(origin + 10) - origin, 500);
});

test('malformed expressions are refused with the reason', () => {
  assert.throws(() => parseSchedule('* * * * *'), /6 fields/);
  assert.throws(() => parseSchedule('0 61 * * * *'), /outside 0-59/);
  assert.throws(() => parseSchedule('@every soon'), /@every/);
  assert.throws(() => parseSchedule('0 */0 * * * *'), /step/);
});

test.run();
