/** Orphans: network this product made that no live server uses; refreshed on demand and released by a job. */
import { api, get, type Json, query } from './api';
import { accountLabel, accountsOf, type Screen } from './app';
import { fmtTime, h, put } from './dom';
import { actionButton, badge, confirm, errorView, field, kv, poll, select, table, tr } from './widgets';

export const orphansScreen: Screen = async (root, ctx) => {
  const accounts = await accountsOf(get);
  const acc = select(
    'accountId',
    accounts.map((a): [string, string] => [a.id, accountLabel(a)]),
    ctx.query.get('accountId') ?? undefined,
  );
  const list = h('div');
  const msg = h('div');
  const release = h('div');
  let items: Json[] = [];
  const load = async (refresh = false) => {
    put(list, h('p', { class: 'muted' }, refresh ? 'Looking at every region in use…' : 'Loading…'));
    const r = await get(`/v1/orphans${query({ accountId: acc.value, refresh: refresh || undefined })}`);
    items = r.items;
    const boxes = items.map((o) =>
      h('input', { type: 'checkbox', name: 'orphan', value: o.id, 'aria-label': `Select ${o.id}` }),
    );
    put(
      list,
      table(
        [ctx.canOperate ? 'Release' : '', 'Type', 'Id', 'Name', 'Region', 'Found', 'Last seen'],
        items.map((o, i) =>
          tr(
            ctx.canOperate ? boxes[i] : '',
            o.type,
            h('code', null, o.id),
            o.name ?? '',
            o.regionId,
            fmtTime(o.foundAt),
            fmtTime(o.lastSeenAt),
          ),
        ),
        'No orphans: every network this product made is used by a live server.',
      ),
      ctx.canOperate && items.length
        ? h(
            'div',
            { class: 'row' },
            actionButton(
              'Release selected',
              async () => {
                const ids = boxes.filter((b) => b.checked).map((b) => b.value);
                if (!ids.length) throw new Error('select the orphans to release first');
                await start(ids);
              },
              msg,
              { class: 'danger' },
            ),
            actionButton('Release all of this account', () => start(undefined), msg, { class: 'danger' }),
          )
        : null,
    );
  };
  const start = async (ids: string[] | undefined) => {
    if (
      !(await confirm(
        `Release ${ids ? ids.length : 'every'} orphan${ids?.length === 1 ? '' : 's'} of this account? Each is checked again just before.`,
        'Release',
      ))
    )
      return;
    const job = await api('POST', '/v1/orphans/release', { accountId: acc.value, ...(ids ? { ids } : {}) });
    const watcher = poll(async () => {
      const r = await get(`/v1/orphans/releases/${job.id}`);
      put(
        release,
        h(
          'div',
          { class: 'card' },
          h('h2', null, 'Release ', badge(r.status)),
          kv([
            ['Job', h('code', null, r.id)],
            ['Stage', r.stage ?? ''],
            ['Released', (r.released ?? []).map((x: Json) => (typeof x === 'string' ? x : x.id)).join(', ')],
            [
              'Kept',
              (r.kept ?? [])
                .map((x: Json) => (typeof x === 'string' ? x : `${x.id}${x.reason ? ` (${x.reason})` : ''}`))
                .join(', '),
            ],
          ]),
          r.error ? errorView(r.error) : null,
        ),
      );
      const more = r.status === 'running' || r.status === 'queued';
      if (!more) await load();
      return more;
    }, 1000);
    ctx.onLeave(() => watcher.stop());
  };
  acc.addEventListener('change', () => void load().catch((e) => put(list, errorView(e))));
  put(
    root,
    h('div', { class: 'titlebar' }, h('h1', null, 'Orphans')),
    h(
      'p',
      { class: 'muted' },
      'Network this product created (tagged fleet:managed) that no live server uses, as the last look found it.',
    ),
    accounts.length
      ? h(
          'div',
          { class: 'row filters' },
          field('Account', acc),
          actionButton('Look again now', () => load(true), msg),
        )
      : h('p', null, 'No accounts in your groups.'),
    msg,
    release,
    list,
  );
  if (accounts.length) await load();
};
