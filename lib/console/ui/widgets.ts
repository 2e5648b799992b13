/** Small pieces every screen uses: errors with their code and hint, badges, fields, confirmations, polling. */
import { ApiError, type Problem } from './api';
import { type Child, h, put, show } from './dom';

const DETAIL_ORDER = ['hint', 'cloudCode', 'cloudRequestId', 'path', 'problem', 'stage', 'retryable'];

/** One line per detail: its hint and cloud code first, then any other field (as text). */
function detailLines(d: Record<string, unknown>): Child[] {
  const keys = Object.keys(d).sort((a, b) => {
    const ia = DETAIL_ORDER.indexOf(a);
    const ib = DETAIL_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  if (typeof d.path === 'string' && typeof d.problem === 'string')
    return [h('li', null, h('code', null, d.path || '(body)'), ' ', d.problem)];
  return keys.map((k) => h('li', null, h('span', { class: 'k' }, `${k}: `), show(d[k])));
}

/** An error of the API or of a job: code, message, hint and every detail, as text. */
export function errorView(e: unknown, title?: string): HTMLElement {
  let code = 'Error';
  let message = String(e);
  let requestId: string | undefined;
  let details: Array<Record<string, unknown>> = [];
  if (e instanceof ApiError) {
    ({ code, message, requestId } = e);
    details = e.details ?? [];
  } else if (e && typeof e === 'object' && 'code' in e) {
    const p = e as Problem;
    code = p.code;
    message = p.message ?? '';
    const rest = Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'code' && k !== 'message'));
    if (Object.keys(rest).length) details = [rest];
  } else if (e instanceof Error) message = e.message;
  return h(
    'div',
    { class: 'error', role: 'alert' },
    title ? h('strong', null, title, ' ') : null,
    h('code', { class: 'code' }, code),
    ' ',
    h('span', null, message),
    details.length ? h('ul', { class: 'details' }, details.flatMap(detailLines)) : null,
    requestId ? h('div', { class: 'muted small' }, `request ${requestId}`) : null,
  );
}

/** A status word with its colour class (`ready`, `failed`, `running`…). */
export const badge = (status: unknown, label?: string) =>
  h('span', { class: `badge s-${String(status ?? 'none').replace(/[^a-z-]/gi, '')}` }, label ?? show(status) ?? '');

/** A labelled control; `hint` is tied to it with aria-describedby. */
let seq = 0;
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f${++seq}`;
  control.id = id;
  const hintEl = hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function select(name: string, options: Array<[string, string] | [string, string, boolean]>, value?: string) {
  const el = h('select', { name });
  fillSelect(el, options, value);
  return el;
}

/** Replaces a select's options ([value, label, disabled?]), keeping `value` selected when present. */
export function fillSelect(
  el: HTMLSelectElement,
  options: Array<[string, string] | [string, string, boolean]>,
  value?: string,
) {
  put(el, ...options.map(([v, l, disabled]) => h('option', { value: v, disabled: !!disabled }, l)));
  if (value !== undefined && options.some(([v, , d]) => v === value && !d)) el.value = value;
}

export const input = (name: string, attrs: Record<string, string | boolean> = {}) =>
  h('input', { name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });

/** A button that runs `work` once at a time (disabled while busy), showing a failure in `slot`. */
export function actionButton(
  label: string,
  work: () => Promise<unknown>,
  slot: HTMLElement,
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', () => run(b, work, slot));
  return b;
}

/** Runs `work` with `control` disabled; an error goes to `slot` (which is emptied first). */
export async function run(control: HTMLButtonElement, work: () => Promise<unknown>, slot: HTMLElement) {
  if (control.disabled) return;
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  put(slot);
  try {
    await work();
  } catch (e) {
    put(slot, errorView(e));
  } finally {
    control.disabled = false;
    control.removeAttribute('aria-busy');
  }
}

/** A modal yes/no question (a real dialog: focus moves in, Esc cancels). */
export function confirm(question: string, yes: string, extra?: HTMLElement): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'button', class: 'danger' }, yes);
    const no = h('button', { type: 'button' }, 'Cancel');
    const dlg = h(
      'dialog',
      { 'aria-labelledby': 'confirm-q' },
      h('p', { id: 'confirm-q' }, question),
      extra ?? null,
      h('div', { class: 'row' }, ok, no),
    );
    const done = (v: boolean) => {
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    ok.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    no.focus();
  });
}

/**
 * Calls `tick` now and then every `ms` while it returns true; stops for good on `stop()`. One
 * request at a time: the next starts `ms` after the last answer.
 */
export function poll(tick: () => Promise<boolean>, ms: number): { stop(): void; again(): void } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  const step = async () => {
    if (stopped || running) return;
    running = true;
    let more = false;
    try {
      more = await tick();
    } catch {
      more = true; // the tick shows its own error; keep watching
    }
    running = false;
    if (more && !stopped) timer = setTimeout(step, ms);
  };
  void step();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    again() {
      clearTimeout(timer);
      void step();
    },
  };
}

/** A definition list of label → value (values as text or nodes). */
export function kv(rows: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'kv' },
    rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v === '' || v === null || v === undefined ? '—' : v)]),
  );
}

/** A table with a header row; `empty` fills it when there are no rows. */
export function table(heads: string[], rows: HTMLTableRowElement[], empty = 'Nothing here yet.', cls = '') {
  const body = h(
    'tbody',
    null,
    rows.length ? rows : h('tr', null, h('td', { colspan: heads.length, class: 'muted' }, empty)),
  );
  return h(
    'table',
    { class: cls },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        heads.map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    body,
  );
}

export const tr = (...cells: Child[]) =>
  h(
    'tr',
    null,
    cells.map((c) => h('td', null, c)),
  );

export const section = (title: string, ...children: Child[]) => h('section', null, h('h2', null, title), ...children);
