/** Servers: the list, the deploy form, one server's live stage timeline and its actions. */
import { api, get, type Json, query } from './api';
import { accountLabel, accountsOf, type Screen } from './app';
import { fmtClock, fmtDuration, fmtTime, h, put, setClass, setText, tds, thead } from './dom';
import { deployForm } from './deploy';
import { actionButton, badge, confirm, errorView, kv, poll, section, select, table } from './widgets';

export { orphansScreen } from './orphans';

const SETTLED = new Set(['ready', 'failed', 'deleted']);
const LIVE_STAGE = new Set(['pending', 'running', 'waiting']);
/** A server whose current operation still runs (a power action runs on a `ready` server). */
const busy = (s: Json) =>
  !SETTLED.has(s.status) || (s.status === 'ready' && (s.stages as Json[]).some((x) => LIVE_STAGE.has(x.status)));

export const serversScreen: Screen = async (root, ctx) => {
  const accounts = await accountsOf(get);
  const names = new Map(accounts.map((a) => [a.id, a.name as string]));
  const acc = select(
    'accountId',
    [['', 'All accounts'], ...accounts.map((a): [string, string] => [a.id, accountLabel(a)])],
    ctx.query.get('accountId') ?? '',
  );
  const status = select(
    'status',
    ['', 'queued', 'provisioning', 'ready', 'failed', 'deleting', 'deleted'].map((s): [string, string] => [
      s,
      s || 'Live (not deleted)',
    ]),
    ctx.query.get('status') ?? '',
  );
  const body = h('tbody');
  const slot = h('div');
  const rows = new Map<string, HTMLTableRowElement>();
  const cells = (s: Json) => [
    h('a', { href: `#/servers/${s.id}` }, s.name),
    names.get(s.accountId) ?? s.accountId,
    s.regionId,
    badge(s.status),
    `${s.operation} · ${s.stage ?? ''}`,
    s.instanceStatus ?? '',
    s.resources?.publicIp ?? '',
    fmtTime(s.updatedAt),
  ];
  // Rows keyed by server id and updated cell by cell: polling never moves the table.
  const draw = (items: Json[]) => {
    const seen = new Set<string>();
    for (const s of items) {
      seen.add(s.id);
      let row = rows.get(s.id);
      if (!row) {
        row = h(
          'tr',
          { 'data-id': s.id },
          cells(s).map(() => h('td')),
        );
        rows.set(s.id, row);
      }
      const tds = [...row.cells];
      cells(s).forEach((c, i) => {
        const td = tds[i]!;
        if (typeof c === 'string') setText(td, c);
        else if (td.firstElementChild?.outerHTML !== c.outerHTML) put(td, c);
      });
      body.appendChild(row);
    }
    for (const [id, row] of rows)
      if (!seen.has(id)) {
        row.remove();
        rows.delete(id);
      }
    if (!items.length) put(body, h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No servers.')));
    else body.querySelector('td[colspan]')?.parentElement?.remove();
  };
  const load = async () => {
    const r = await get(`/v1/servers${query({ accountId: acc.value, status: status.value, limit: 100 })}`);
    put(slot);
    draw(r.items);
    return (r.items as Json[]).some(busy);
  };
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter servers' }, acc, status);
  filters.addEventListener('change', () => {
    rows.clear();
    put(body);
    watcher.again();
  });
  put(
    root,
    h(
      'div',
      { class: 'titlebar' },
      h('h1', null, 'Servers'),
      ctx.canOperate ? h('a', { class: 'button primary', href: '#/servers/new' }, 'Deploy server') : null,
    ),
    filters,
    slot,
    h(
      'table',
      null,
      thead(['Name', 'Account', 'Region', 'Status', 'Operation · stage', 'Instance', 'Public IP', 'Updated']),
      body,
    ),
  );
  const watcher = poll(
    () =>
      load().catch((e) => {
        put(slot, errorView(e));
        return true;
      }),
    2000,
  );
  ctx.onLeave(() => watcher.stop());
};

export const deployScreen: Screen = async (root, ctx) => {
  if (!ctx.canOperate) {
    put(root, h('h1', null, 'Deploy server'), h('p', null, 'Viewers cannot deploy servers.'));
    return;
  }
  put(root, h('h1', null, 'Deploy server'), await deployForm(ctx, (s) => ctx.go(`#/servers/${s.id}`)));
};

/** The stage timeline: one row per stage, updated in place. */
function timeline() {
  const body = h('tbody');
  const rows = new Map<string, { row: HTMLTableRowElement; cells: ReturnType<typeof tds<6>> }>();
  let shape = '';
  const el = h(
    'table',
    { class: 'timeline' },
    h(
      'colgroup',
      null,
      ['w-stage', 'w-status', 'w-num', '', 'w-time', 'w-num'].map((c) => h('col', { class: c })),
    ),
    thead(['Stage', 'Status', 'Attempts', 'Waiting for / error', 'Started', 'Took']),
    body,
  );
  const update = (s: Json) => {
    const stages = s.stages as Json[];
    const now = stages.map((x) => x.name).join();
    if (now !== shape) {
      shape = now;
      rows.clear();
      put(
        body,
        stages.map((x) => {
          const cells = tds(6);
          const row = h('tr', null, cells);
          rows.set(x.name, { row, cells });
          return row;
        }),
      );
    }
    for (const x of stages) {
      const r = rows.get(x.name)!;
      const [name, status, attempts, detail, started, took] = r.cells;
      setText(name, x.name);
      if (status.textContent !== x.status) put(status, badge(x.status));
      setText(attempts, x.attempts ?? 0);
      const detailKey = x.error ? `e:${x.error.code}:${x.error.message}` : `w:${x.waitingFor ?? ''}`;
      if (detail.dataset.key !== detailKey) {
        detail.dataset.key = detailKey;
        put(detail, x.error ? errorView(x.error) : (x.waitingFor ?? ''));
      }
      setText(started, fmtClock(x.startedAt));
      setText(took, x.startedAt && x.status !== 'pending' ? fmtDuration(x.startedAt, x.endedAt) : '');
      const current = x.name === s.stage && LIVE_STAGE.has(x.status);
      if (current) r.row.setAttribute('aria-current', 'step');
      else r.row.removeAttribute('aria-current');
      setClass(r.row, current ? 'current' : '');
    }
  };
  return { el, update };
}

export const serverScreen: Screen = async (root, ctx) => {
  const id = ctx.params[0]!;
  const path = `/v1/servers/${encodeURIComponent(id)}`;
  let s = await get(path);
  const title = h('h1');
  const status = h('span');
  const summary = h('div');
  const errorSlot = h('div');
  const actions = h('div', { class: 'row actions' });
  const msg = h('div');
  const boot = h('div');
  const history = h('div');
  const tl = timeline();
  const opLine = h('p', { class: 'muted' });
  let actionsKey = '';

  const draw = () => {
    setText(title, s.name);
    if (status.textContent !== s.status) put(status, badge(s.status));
    const r = s.resources ?? {};
    put(
      summary,
      kv([
        ['Id', h('code', null, s.id)],
        ['Account', h('a', { href: `#/accounts/${s.accountId}` }, s.accountId)],
        ['Region / zone', `${s.regionId} / ${r.zoneId ?? '—'}`],
        ['Instance', `${s.spec?.instanceType ?? ''} ${r.instanceId ?? ''} ${s.instanceStatus ?? ''}`],
        ['Image', s.spec?.imageId ?? ''],
        ['Network', `${s.spec?.network?.mode ?? ''} ${r.vpcId ?? ''} ${r.vSwitchId ?? ''}`],
        ['Public / private IP', `${r.publicIp ?? '—'} / ${r.privateIp ?? '—'}`],
        ['Security group', r.securityGroupId ?? ''],
        ['Created', fmtTime(s.createdAt)],
      ]),
    );
    setText(opLine, `Operation: ${s.operation} · current stage: ${s.stage ?? '—'} · updated ${fmtTime(s.updatedAt)}`);
    const errKey = s.error ? `${s.error.code}:${s.error.message}` : '';
    if (errorSlot.dataset.key !== errKey) {
      errorSlot.dataset.key = errKey;
      put(errorSlot, s.error ? errorView(s.error, `${s.operation} failed at ${s.error.stage ?? s.stage}:`) : null);
    }
    tl.update(s);
    if (s.bootstrap)
      put(
        boot,
        section(
          'Bootstrap script',
          h(
            'p',
            null,
            badge(s.bootstrap.status),
            s.bootstrap.exitCode !== undefined && s.bootstrap.exitCode !== null
              ? ` exit code ${s.bootstrap.exitCode}`
              : '',
          ),
          s.bootstrap.outputTail ? h('pre', { class: 'output' }, s.bootstrap.outputTail) : null,
        ),
      );
    put(
      history,
      section(
        'Earlier operations',
        table(
          ['Operation', 'Status', 'Started', 'Ended', 'Error'],
          ((s.history ?? []) as Json[]).map((x) =>
            h(
              'tr',
              null,
              [
                x.operation,
                badge(x.status),
                fmtTime(x.startedAtMs),
                fmtTime(x.endedAtMs),
                x.error ? `${x.error.code}: ${x.error.message ?? ''}` : '',
              ].map((c) => h('td', null, c)),
            ),
          ),
          'No earlier operation.',
        ),
      ),
    );
    // Buttons are redrawn only when what they offer changes (focus stays put while polling).
    const key = `${s.status}:${s.instanceStatus}:${busy(s)}`;
    if (key !== actionsKey && ctx.canOperate) {
      actionsKey = key;
      put(actions, ...buttons());
    }
  };

  const after = (next: Json) => {
    s = next;
    draw();
    watcher.again();
  };
  const buttons = () => {
    if (s.status === 'deleted') return [];
    const out: HTMLElement[] = [];
    const idle = !busy(s);
    if (s.status === 'failed')
      out.push(actionButton('Retry', async () => after(await api('POST', `${path}/retry`)), msg, { class: 'primary' }));
    if (s.status === 'ready' && idle) {
      const power = (action: string) => async () => after(await api('POST', `${path}/actions`, { action }));
      if (s.instanceStatus === 'Stopped') out.push(actionButton('Start', power('start'), msg));
      else {
        out.push(actionButton('Stop', power('stop'), msg));
        out.push(actionButton('Reboot', power('reboot'), msg));
      }
    }
    out.push(
      actionButton(
        'Delete…',
        async () => {
          const release = h('input', { type: 'checkbox', id: 'release-network', name: 'releaseNetwork' });
          const extra = h(
            'div',
            { class: 'check' },
            release,
            h(
              'label',
              { for: 'release-network' },
              'Also release its network (security group, and in dedicated mode the VSwitch and VPC)',
            ),
          );
          if (!(await confirm(`Delete the server "${s.name}" and its instance and public IP?`, 'Delete server', extra)))
            return;
          after(await api('DELETE', `${path}${release.checked ? '?releaseNetwork=true' : ''}`));
        },
        msg,
        { class: 'danger' },
      ),
    );
    return out;
  };

  put(
    root,
    h('div', { class: 'titlebar' }, title, status),
    actions,
    msg,
    errorSlot,
    summary,
    section('Stages', opLine, tl.el),
    boot,
    history,
  );
  draw();
  const watcher = poll(async () => {
    try {
      s = await get(path);
      draw();
    } catch (e) {
      put(msg, errorView(e));
    }
    return busy(s);
  }, 1000);
  ctx.onLeave(() => watcher.stop());
};
