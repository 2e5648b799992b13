/** Tokens (admins): mint one with a role and groups (its secret shown once), list them, revoke one. */
import { api, get, type Json } from './api';
import type { Screen } from './app';
import { fmtTime, h, put, show } from './dom';
import { actionButton, badge, confirm, errorView, field, input, section, select, table, tr } from './widgets';

export const tokensScreen: Screen = async (root) => {
  const list = h('div');
  const msg = h('div');
  const once = h('div');
  const load = async () => {
    const r = await get('/v1/tokens');
    const now = Date.now();
    put(
      list,
      table(
        ['Name', 'Id', 'Role', 'Groups', 'Created', 'By', 'Expires', ''],
        (r.items as Json[]).map((t) =>
          tr(
            t.name,
            h('code', null, t.id),
            badge(t.role),
            show(t.groups),
            fmtTime(t.createdAt),
            t.createdBy,
            t.expiresAt
              ? h('span', null, fmtTime(t.expiresAt), t.expiresAt <= now ? badge('failed', 'expired') : '')
              : 'never',
            actionButton(
              'Revoke',
              async () => {
                if (!(await confirm(`Revoke the token "${t.name}"? It stops working at once.`, 'Revoke'))) return;
                await api('DELETE', `/v1/tokens/${t.id}`);
                await load();
              },
              msg,
              { class: 'danger', 'aria-label': `Revoke ${t.name}` },
            ),
          ),
        ),
        'No tokens yet (the bootstrap admin token is not listed).',
      ),
    );
  };
  const name = input('name', { required: true, maxlength: '64' });
  const role = select('role', [
    ['viewer', 'viewer — read only'],
    ['operator', 'operator — read, verify, servers, scans'],
    ['admin', 'admin — everything'],
  ]);
  const groups = input('groups', { placeholder: 'prod, team-a' });
  const expires = h('input', { type: 'datetime-local', name: 'expiresAt' });
  const slot = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Create a token' },
    h('h2', null, 'Create a token'),
    h(
      'div',
      { class: 'grid' },
      field('Name', name),
      field('Role', role),
      field('Groups', groups, 'the accounts it may see share one of these'),
      field('Expires (optional)', expires),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    put(slot);
    const body: Json = {
      name: name.value.trim(),
      role: role.value,
      groups: groups.value.split(/[\s,]+/).filter(Boolean),
    };
    if (expires.value) body.expiresAt = new Date(expires.value).getTime();
    try {
      const t = await api('POST', '/v1/tokens', body);
      showOnce(once, t.name, t.token);
      t.token = '';
      form.reset();
      await load();
    } catch (err) {
      put(slot, errorView(err));
    }
  });
  put(root, h('h1', null, 'Tokens'), form, once, msg, section('Tokens', list));
  await load();
};

/** The new token, once: copy it, then "Done" drops it from the page. */
function showOnce(slot: HTMLElement, name: string, secret: string) {
  const value = h('input', {
    type: 'text',
    readonly: true,
    value: secret,
    'aria-label': `New token ${name}`,
    class: 'secret',
    spellcheck: 'false',
  });
  const done = () => {
    value.value = '';
    put(slot);
  };
  const copied = h('span', { role: 'status', class: 'muted' });
  put(
    slot,
    h(
      'div',
      { class: 'card once', role: 'region', 'aria-label': 'New token' },
      h('p', null, h('strong', null, `Token "${name}" created.`), ' Copy it now: it is shown only this once.'),
      value,
      h(
        'div',
        { class: 'row' },
        actionButton(
          'Copy',
          async () => {
            value.select();
            await navigator.clipboard.writeText(value.value);
            copied.textContent = 'Copied.';
          },
          copied,
        ),
        h('button', { type: 'button', onclick: done }, 'Done'),
      ),
      copied,
    ),
  );
  value.focus();
  value.select();
}
