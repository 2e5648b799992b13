/**
 * Inventory: start a scan and watch each region, browse assets with filters, one asset's
 * properties, tags and history, what the last scan changed, and export.
 */
import { ASSET_TYPES } from '../../core/asset-types';
import { api, get, type Json, query, send } from './api';
import { accountLabel, accountsOf, type Screen } from './app';
import { fmtDuration, fmtTime, h, put, setText, show, tds, thead } from './dom';
import { actionButton, badge, errorView, field, input, kv, poll, section, select, table, tr } from './widgets';

const assetHref = (a: Json) =>
  `#/assets/${encodeURIComponent(a.type)}/${encodeURIComponent(a.id)}?accountId=${encodeURIComponent(a.accountId)}`;
/** Removed, or the cloud's status: green when it is up (Running, Available, InUse), grey otherwise. */
const assetBadge = (a: Json) =>
  a.deletedAt
    ? badge('deleted', 'removed')
    : badge(/^(Running|Available|InUse)$/.test(a.status ?? '') ? 'live' : 'pending', a.status ?? 'present');
const counts = (c: Json) =>
  c ? `${c.found} found · ${c.added} added · ${c.changed} changed · ${c.removed} removed` : '';

export const inventoryScreen: Screen = async (root, ctx) => {
  const accounts = await accountsOf(get);
  const q = ctx.query;
  const accOpts = accounts.map((a): [string, string] => [a.id, accountLabel(a)]);
  put(
    root,
    h('h1', null, 'Inventory'),
    ctx.canOperate && accounts.length ? scanPanel(accounts, ctx.go) : null,
    section('Recent scans', recentScans()),
    section('Assets', assetBrowser(accOpts, q, ctx.go)),
  );
};

function scanPanel(accounts: Json[], go: (h: string) => void): HTMLElement {
  const acc = select(
    'accountId',
    accounts.map((a): [string, string] => [a.id, accountLabel(a)]),
  );
  const regions = h('div', { class: 'checks', role: 'group', 'aria-label': 'Regions to scan' });
  const slot = h('div');
  const loadRegions = async () => {
    put(regions, h('span', { class: 'muted' }, 'Loading regions…'));
    try {
      const r = await get(`/v1/catalog/${acc.value}/regions`);
      put(
        regions,
        (r.items as Json[]).map((x) =>
          h(
            'label',
            { class: 'check' },
            h('input', { type: 'checkbox', name: 'region', value: x.regionId }),
            x.regionId,
          ),
        ),
      );
    } catch {
      put(regions, h('span', { class: 'muted' }, 'every region (the account’s regions could not be listed)'));
    }
  };
  acc.addEventListener('change', loadRegions);
  void loadRegions();
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Start a scan' },
    h('h2', null, 'Scan an account'),
    field('Account', acc),
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Regions (none checked: every region)'), regions),
    h('button', { type: 'submit', class: 'primary' }, 'Start scan'),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    put(slot);
    const picked = [...regions.querySelectorAll('input:checked')].map((b) => (b as HTMLInputElement).value);
    try {
      const s = await api('POST', '/v1/scans', { accountId: acc.value, ...(picked.length ? { regions: picked } : {}) });
      go(`#/scans/${s.id}`);
    } catch (err) {
      const running =
        err && typeof err === 'object' && 'details' in err
          ? ((err as Json).details ?? []).find((d: Json) => d.scanId)
          : undefined;
      put(
        slot,
        errorView(err),
        running ? h('p', null, h('a', { href: `#/scans/${running.scanId}` }, 'Watch the running scan')) : null,
      );
    }
  });
  return form;
}

function recentScans(): HTMLElement {
  const el = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  get('/v1/scans?limit=10')
    .then((r) =>
      put(
        el,
        table(
          ['Started', 'Account', 'Status', 'Source', 'Counts', 'Took'],
          (r.items as Json[]).map((s) =>
            tr(
              h('a', { href: `#/scans/${s.id}` }, fmtTime(s.startedAt)),
              s.accountId,
              badge(s.status),
              s.source ?? '',
              counts(s.counts),
              s.finishedAt ? fmtDuration(s.startedAt, s.finishedAt) : 'running',
            ),
          ),
          'No scans yet.',
        ),
      ),
    )
    .catch((e) => put(el, errorView(e)));
  return el;
}

function assetBrowser(accOpts: Array<[string, string]>, q: URLSearchParams, go: (h: string) => void): HTMLElement {
  const acc = select('accountId', [['', 'All accounts'], ...accOpts], q.get('accountId') ?? '');
  const type = select(
    'type',
    [['', 'All types'], ...ASSET_TYPES.map((t): [string, string] => [t, t])],
    q.get('type') ?? '',
  );
  const region = input('regionId', { placeholder: 'cn-hangzhou', value: q.get('regionId') ?? '' });
  const tag = input('tag', { placeholder: 'env:prod or env', value: q.get('tag') ?? '' });
  const text = input('q', { type: 'search', placeholder: 'id or name', value: q.get('q') ?? '' });
  const deleted = h('input', {
    type: 'checkbox',
    id: 'include-deleted',
    name: 'includeDeleted',
    checked: q.get('includeDeleted') === 'true',
  });
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const slot = h('div');
  const exportFmt = select('format', [
    ['csv', 'CSV'],
    ['ndjson', 'NDJSON'],
  ]);
  const exportMsg = h('div');
  let cursor: string | undefined;
  const filters = () => ({
    accountId: acc.value,
    regionId: region.value.trim(),
    type: type.value,
    tag: tag.value.trim(),
    q: text.value.trim(),
    includeDeleted: deleted.checked ? 'true' : '',
  });
  const load = async (first: boolean) => {
    if (first) {
      cursor = undefined;
      put(body);
    }
    const r = await get(`/v1/assets${query({ ...filters(), limit: 100, cursor })}`);
    for (const a of r.items as Json[])
      body.appendChild(
        tr(
          h('a', { href: assetHref(a) }, a.id),
          a.name ?? '',
          a.type.replace(/^ACS::/, ''),
          a.regionId,
          h('span', null, assetBadge(a)),
          a.managedBy ? h('a', { href: `#/servers/${a.managedBy}` }, a.managedBy) : '',
          fmtTime(a.lastSeenAt),
        ),
      );
    if (!body.rows.length) put(body, h('tr', null, h('td', { colspan: 7, class: 'muted' }, 'No assets match.')));
    cursor = r.nextCursor;
    more.hidden = !cursor;
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter assets' },
    field('Account', acc),
    field('Region', region),
    field('Type', type),
    field('Tag', tag),
    field('Search', text),
    h('div', { class: 'check' }, deleted, h('label', { for: 'include-deleted' }, 'include removed')),
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // The filters go into the hash (ids and words only), so a view can be reloaded or shared.
    const qs = query(filters());
    const hash = `#/inventory${qs}`;
    if (location.hash === hash) load(true).catch((err) => put(slot, errorView(err)));
    else go(hash);
  });
  more.addEventListener('click', () => load(false).catch((e) => put(slot, errorView(e))));
  load(true).catch((e) => put(slot, errorView(e)));
  const exportBtn = actionButton(
    'Export',
    async () => {
      if (!acc.value) throw new Error('choose an account to export');
      await download(acc.value, exportFmt.value, deleted.checked, exportMsg);
    },
    exportMsg,
  );
  return h(
    'div',
    null,
    form,
    slot,
    h('table', null, thead(['Id', 'Name', 'Type', 'Region', 'Status', 'Server', 'Last seen']), body),
    more,
    h('div', { class: 'row export' }, h('span', null, 'Export the chosen account:'), exportFmt, exportBtn, exportMsg),
  );
}

/** Every chunk of the export (x-next-cursor), joined into one file the browser saves. */
async function download(accountId: string, format: string, includeDeleted: boolean, msg: HTMLElement) {
  const parts: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await send(
      'GET',
      `/v1/assets/export${query({ accountId, format, includeDeleted: includeDeleted || undefined, cursor })}`,
    );
    parts.push(await res.text());
    cursor = res.headers.get('x-next-cursor') ?? undefined;
  } while (cursor);
  const blob = new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `assets-${accountId}.${format === 'csv' ? 'csv' : 'ndjson'}` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  put(msg, h('span', { role: 'status', class: 'ok' }, `Exported ${(blob.size / 1024).toFixed(1)} KiB.`));
}

export const scanScreen: Screen = async (root, ctx) => {
  const path = `/v1/scans/${encodeURIComponent(ctx.params[0]!)}`;
  let s = await get(path);
  const title = h('span');
  const summary = h('div');
  const errorSlot = h('div');
  const body = h('tbody');
  const rows = new Map<string, ReturnType<typeof tds<8>>>();
  const changes = h('div');
  const draw = () => {
    if (title.textContent !== s.status) put(title, badge(s.status));
    put(
      summary,
      kv([
        ['Id', h('code', null, s.id)],
        ['Account', h('a', { href: `#/inventory?accountId=${encodeURIComponent(s.accountId)}` }, s.accountId)],
        ['Trigger', `${s.trigger} by ${s.by ?? ''}`],
        ['Source', `${s.source ?? 'not decided yet'}${s.sourceReason ? ` — ${s.sourceReason}` : ''}`],
        ['Counts', counts(s.counts)],
        ['Started', fmtTime(s.startedAt)],
        ['Finished', s.finishedAt ? `${fmtTime(s.finishedAt)} (${fmtDuration(s.startedAt, s.finishedAt)})` : 'running'],
      ]),
    );
    const ek = s.error ? s.error.code : '';
    if (errorSlot.dataset.key !== ek) {
      errorSlot.dataset.key = ek;
      put(errorSlot, s.error ? errorView(s.error, 'The scan failed:') : null);
    }
    // One row per region, created once and then only its cells' text changes.
    for (const r of s.regions as Json[]) {
      let cells = rows.get(r.regionId);
      if (!cells) {
        cells = tds(8);
        rows.set(r.regionId, cells);
        body.appendChild(h('tr', { 'data-region': r.regionId }, cells));
      }
      const [id, st, stage, pages, found, diff, err, took] = cells;
      setText(id, r.regionId);
      if (st.textContent !== r.status) put(st, badge(r.status));
      setText(stage, r.stage ?? '');
      setText(pages, r.pages ?? 0);
      setText(found, r.counts?.found ?? 0);
      setText(diff, r.counts ? `+${r.counts.added} ~${r.counts.changed} −${r.counts.removed}` : '');
      const key = r.error ? r.error.code : '';
      if (err.dataset.key !== key) {
        err.dataset.key = key;
        put(err, r.error ? errorView(r.error) : '');
      }
      setText(took, r.startedAt ? fmtDuration(r.startedAt, r.finishedAt ?? undefined) : '');
    }
  };
  put(
    root,
    h('div', { class: 'titlebar' }, h('h1', null, 'Scan'), title),
    errorSlot,
    summary,
    section(
      'Regions',
      h(
        'table',
        { class: 'regions' },
        thead(['Region', 'Status', 'Stage', 'Pages', 'Found', 'Added ~changed −removed', 'Error', 'Took']),
        body,
      ),
    ),
    changes,
  );
  draw();
  const watcher = poll(async () => {
    s = await get(path);
    draw();
    const running = s.status === 'running';
    if (!running) put(changes, section('What this scan changed', scanChanges(s)));
    return running;
  }, 1000);
  ctx.onLeave(() => watcher.stop());
};

/**
 * What a finished scan changed: assets first seen or removed since it started (from the asset
 * list), and on demand the ones it changed (each live asset's history names the scan).
 */
function scanChanges(s: Json): HTMLElement {
  const el = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const changedSlot = h('div');
  (async () => {
    const all: Json[] = [];
    let cursor: string | undefined;
    do {
      const r = await get(`/v1/assets${query({ accountId: s.accountId, includeDeleted: 'true', limit: 500, cursor })}`);
      all.push(...r.items);
      cursor = r.nextCursor;
    } while (cursor && all.length < 2000);
    const added = all.filter((a) => a.firstSeenAt >= s.startedAt && !a.deletedAt);
    const removed = all.filter((a) => a.deletedAt && a.deletedAt >= s.startedAt);
    const live = all.filter((a) => !a.deletedAt && a.firstSeenAt < s.startedAt);
    const line = (a: Json) =>
      h(
        'span',
        null,
        h('a', { href: assetHref(a) }, `${a.type.replace(/^ACS::/, '')} ${a.id}`),
        a.name ? ` ${a.name}` : '',
        ` (${a.regionId})`,
      );
    put(
      el,
      h('h3', null, `Added (${added.length})`),
      added.length
        ? h(
            'ul',
            { class: 'plain' },
            added.slice(0, 200).map((a) => h('li', null, line(a))),
          )
        : h('p', { class: 'muted' }, 'Nothing new.'),
      h('h3', null, `Removed (${removed.length})`),
      removed.length
        ? h(
            'ul',
            { class: 'plain' },
            removed.slice(0, 200).map((a) => h('li', null, line(a))),
          )
        : h('p', { class: 'muted' }, 'Nothing removed.'),
      h('h3', null, `Changed (${s.counts?.changed ?? 0})`),
      s.counts?.changed
        ? actionButton(
            'Show what changed',
            async () => {
              const hits: HTMLElement[] = [];
              for (let i = 0; i < Math.min(live.length, 200); i += 4) {
                const batch = await Promise.all(
                  live
                    .slice(i, i + 4)
                    .map((a) =>
                      get(
                        `/v1/assets/${encodeURIComponent(a.type)}/${encodeURIComponent(a.id)}?accountId=${encodeURIComponent(a.accountId)}`,
                      ),
                    ),
                );
                for (const r of batch) {
                  const ev = (r.history as Json[]).find((x) => x.scanId === s.id && x.kind === 'changed');
                  if (ev) hits.push(h('li', null, line(r.asset), changeList(ev.changes)));
                }
              }
              put(
                changedSlot,
                hits.length
                  ? h('ul', { class: 'plain' }, hits)
                  : h('p', { class: 'muted' }, 'No changed asset found among the first 200.'),
              );
            },
            changedSlot,
          )
        : h('p', { class: 'muted' }, 'Nothing changed.'),
      changedSlot,
    );
  })().catch((e) => put(el, errorView(e)));
  return el;
}

const changeList = (changes: Json) =>
  h(
    'ul',
    { class: 'plain changes' },
    Object.entries(changes ?? {}).map(([k, v]) =>
      h('li', null, h('code', null, k), `: ${show((v as Json).from) || '∅'} → ${show((v as Json).to) || '∅'}`),
    ),
  );

export const assetScreen: Screen = async (root, ctx) => {
  const [type = '', id = ''] = ctx.params;
  const accountId = ctx.query.get('accountId') ?? '';
  const r = await get(`/v1/assets/${encodeURIComponent(type)}/${encodeURIComponent(id)}${query({ accountId })}`);
  const a = r.asset;
  put(
    root,
    h('div', { class: 'titlebar' }, h('h1', null, a.name || a.id), assetBadge(a)),
    kv([
      ['Type', a.type],
      ['Id', h('code', null, a.id)],
      ['Account', h('a', { href: `#/inventory?accountId=${encodeURIComponent(a.accountId)}` }, a.accountId)],
      ['Region / zone', `${a.regionId} / ${a.zoneId ?? '—'}`],
      ['Built by server', a.managedBy ? h('a', { href: `#/servers/${a.managedBy}` }, a.managedBy) : ''],
      ['First seen', fmtTime(a.firstSeenAt)],
      ['Last seen', fmtTime(a.lastSeenAt)],
      ['Removed', fmtTime(a.deletedAt)],
    ]),
    section(
      'Properties',
      table(
        ['Property', 'Value'],
        Object.entries(a.properties ?? {}).map(([k, v]) => tr(h('code', null, k), show(v))),
        'No properties.',
      ),
    ),
    section(
      'Tags',
      table(
        ['Key', 'Value'],
        Object.entries(a.tags ?? {}).map(([k, v]) => tr(k, show(v))),
        'No tags.',
      ),
    ),
    section(
      'History',
      table(
        ['When', 'Scan', 'What', 'Changes'],
        (r.history as Json[]).map((x) =>
          tr(
            fmtTime(x.at),
            h('a', { href: `#/scans/${x.scanId}` }, x.scanId),
            badge(x.kind),
            x.changes ? changeList(x.changes) : '',
          ),
        ),
        'No history.',
      ),
    ),
  );
};
