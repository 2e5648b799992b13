/**
 * The only way the console makes DOM: elements with attributes and listeners, and text nodes.
 * There is no HTML sink anywhere (the CSP's Trusted Types would make one throw), so whatever the
 * API answers is shown as text.
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (e: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function put(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Sets text only when it changed: a poll that finds nothing new touches nothing. */
export function setText(el: Element, value: unknown): void {
  const s = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== s) el.textContent = s;
}

export function setClass(el: Element, cls: string): void {
  if (el.className !== cls) el.className = cls;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-07 14:03:59` in local time, or '' without a time. */
export function fmtTime(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `14:03:59` in local time: for the stages of one operation (the date is the server's). */
export function fmtClock(ms: unknown): string {
  return fmtTime(ms).slice(11);
}

/** `1.4 s`, `3 min 2 s`: how long from `start` to `end` (or now). */
export function fmtDuration(start: unknown, end?: unknown): string {
  if (typeof start !== 'number') return '';
  const ms = (typeof end === 'number' ? end : Date.now()) - start;
  if (ms < 0) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Any value as one line of text (lists joined, objects as JSON). */
export function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A table head row of column headers (`<th scope="col">`). */
export function thead(cols: string[]): HTMLTableSectionElement {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      cols.map((x) => h('th', { scope: 'col' }, x)),
    ),
  );
}

/** A tuple of `N` table cells (for destructuring without casts). */
type Cells<N extends number, A extends HTMLTableCellElement[] = []> = A['length'] extends N
  ? A
  : Cells<N, [...A, HTMLTableCellElement]>;

/** `n` empty cells of a row that is built once and then only has its cells' text changed. */
export const tds = <N extends number>(n: N) => Array.from({ length: n }, () => h('td')) as Cells<N>;
