/** Accounts: the list, adding one in one step, and one account (edit, verify, audit, trail, SSH keys). */
import { api, get, type Json, query } from './api';
import type { Screen } from './app';
import { h, put, fmtTime, show, thead } from './dom';
import { actionButton, badge, confirm, errorView, field, input, kv, section, select, table, tr } from './widgets';
import { regionsAndKeys } from './key-pairs';

const credentialText = (c: Json) =>
  c?.type === 'access_key' ? `AccessKey ${c.accessKeyId}` : c?.type === 'ram_role' ? `RAM role ${c.roleArn}` : '';

const verification = (v: Json) =>
  h('span', null, badge(v?.status), v?.error ? h('code', { class: 'small' }, ` ${v.error.code}`) : null);

export const accountsScreen: Screen = async (root, ctx) => {
  put(
    root,
    h(
      'div',
      { class: 'titlebar' },
      h('h1', null, 'Accounts'),
      ctx.canWrite ? h('a', { class: 'button primary', href: '#/accounts/new' }, 'Add account') : null,
    ),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  const { items = [] } = await get('/v1/accounts');
  put(
    root,
    root.firstChild as HTMLElement,
    table(
      ['Name', 'Id', 'Credential', 'Groups', 'Verification', 'Updated'],
      (items as Json[]).map((a) =>
        tr(
          h('a', { href: `#/accounts/${a.id}` }, a.name),
          h('code', null, a.id),
          credentialText(a.credential),
          show(a.groups),
          verification(a.verification),
          fmtTime(a.updatedAt),
        ),
      ),
      ctx.canWrite ? 'No accounts yet: add one.' : 'No accounts in your groups.',
    ),
  );
};

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The credential part of the add and edit forms; its secret inputs are emptied after each request. */
function credentialFields(optional: boolean) {
  const type = select('credentialType', [
    ...(optional ? ([['', 'keep the current credential']] as Array<[string, string]>) : []),
    ['access_key', 'AccessKey'],
    ['ram_role', 'RAM role'],
  ]);
  const keyId = input('accessKeyId', { placeholder: 'LTAI…' });
  const secret = input('accessKeySecret', { type: 'password', autocomplete: 'new-password' });
  const roleArn = input('roleArn', { placeholder: 'acs:ram::<16 digits>:role/<name>' });
  const externalId = input('externalId', { type: 'password', autocomplete: 'new-password' });
  const ak = h(
    'div',
    null,
    field('AccessKey ID', keyId),
    field('AccessKey secret', secret, 'sent once; never shown again'),
  );
  const role = h(
    'div',
    null,
    field('Role ARN', roleArn, 'the role must trust the deployment account'),
    field('External ID (optional)', externalId),
  );
  const sync = () => {
    ak.hidden = type.value !== 'access_key';
    role.hidden = type.value !== 'ram_role';
  };
  type.addEventListener('change', sync);
  sync();
  return {
    el: h('fieldset', null, h('legend', null, 'Credential'), field('Type', type), ak, role),
    value(): Json | undefined {
      if (type.value === 'access_key')
        return { type: 'access_key', accessKeyId: keyId.value.trim(), accessKeySecret: secret.value.trim() };
      if (type.value === 'ram_role')
        return {
          type: 'ram_role',
          roleArn: roleArn.value.trim(),
          ...(externalId.value ? { externalId: externalId.value } : {}),
        };
      return undefined;
    },
    forget() {
      secret.value = '';
      externalId.value = '';
    },
  };
}

export const newAccountScreen: Screen = (root, ctx) => {
  if (!ctx.canWrite) {
    put(root, h('h1', null, 'Add account'), h('p', null, 'Only admins add accounts.'));
    return;
  }
  const name = input('name', { required: true, maxlength: '64' });
  const groups = input('groups', { placeholder: 'prod, team-a' });
  const region = input('defaultRegion', { placeholder: 'cn-hangzhou' });
  const alibaba = input('alibabaAccountId', { placeholder: '16 digits', inputmode: 'numeric' });
  const cred = credentialFields(false);
  const slot = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add and verify');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-title' },
    h('h1', { id: 'add-title' }, 'Add account'),
    field('Name', name),
    field('Groups', groups, 'tokens that share a group see this account; without groups only admins do'),
    field('Default region (optional)', region),
    field('Alibaba account ID (optional)', alibaba, 'checked against the credential'),
    cred.el,
    h('div', { class: 'row' }, submit, h('a', { class: 'button', href: '#/accounts' }, 'Cancel')),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    put(slot, h('p', { class: 'muted' }, 'Saving and verifying the credential…'));
    const body: Json = { name: name.value.trim(), groups: list(groups.value), credential: cred.value() };
    if (region.value.trim()) body.defaultRegion = region.value.trim();
    if (alibaba.value.trim()) body.alibabaAccountId = alibaba.value.trim();
    try {
      const a = await api('POST', '/v1/accounts', body);
      ctx.go(`#/accounts/${a.id}`);
    } catch (err) {
      put(slot, errorView(err));
    } finally {
      cred.forget();
      delete body.credential;
      submit.disabled = false;
    }
  });
  put(root, form);
  name.focus();
};

export const accountScreen: Screen = async (root, ctx) => {
  const id = ctx.params[0]!;
  const a = await get(`/v1/accounts/${encodeURIComponent(id)}`);
  const msg = h('div', { class: 'messages' });
  const reload = () => accountScreen(root, ctx);
  const audit = h('div');
  const buttons = h(
    'div',
    { class: 'row' },
    ctx.canOperate
      ? actionButton(
          'Verify and audit permissions',
          async () => {
            put(audit, h('p', { class: 'muted' }, 'Verifying…'));
            const r = await api('POST', `/v1/accounts/${a.id}/verify`);
            put(audit, auditView(r));
          },
          msg,
        )
      : null,
    ctx.canOperate
      ? actionButton(
          'Clear catalog cache',
          async () => {
            await api('DELETE', `/v1/catalog/${a.id}/cache`);
            put(msg, h('p', { class: 'ok', role: 'status' }, 'Cache cleared: the next listings ask the cloud again.'));
          },
          msg,
        )
      : null,
    ctx.canWrite
      ? actionButton(
          'Edit',
          async () =>
            put(
              editSlot,
              editForm(a, reload, () => put(editSlot)),
            ),
          msg,
        )
      : null,
    ctx.canWrite
      ? actionButton(
          'Delete account',
          async () => {
            if (!(await confirm(`Delete the account "${a.name}"? Its audit trail stays.`, 'Delete account'))) return;
            await api('DELETE', `/v1/accounts/${a.id}`);
            ctx.go('#/accounts');
          },
          msg,
          { class: 'danger' },
        )
      : null,
  );
  const editSlot = h('div');
  const v = a.verification ?? {};
  put(
    root,
    h('div', { class: 'titlebar' }, h('h1', null, a.name), verification(v)),
    buttons,
    msg,
    editSlot,
    v.error ? errorView(v.error, 'Verification failed:') : null,
    kv([
      ['Id', h('code', null, a.id)],
      ['Alibaba account', a.alibabaAccountId ?? ''],
      ['Default region', a.defaultRegion ?? ''],
      ['Groups', show(a.groups)],
      ['Credential', credentialText(a.credential)],
      ['Verified', `${show(v.status)} ${fmtTime(v.checkedAt)}`],
      ['Identity', v.identity ? `${v.identity.accountId} ${v.identity.arn}` : ''],
      ['Created', fmtTime(a.createdAt)],
      ['Updated', fmtTime(a.updatedAt)],
    ]),
    audit,
    section('Regions and key pairs', regionsAndKeys(a, ctx, reload)),
    section('Audit trail', trail(a.id)),
  );
};

function auditView(r: Json): HTMLElement {
  const allowed = (x: unknown) =>
    x === true ? badge('done', 'allowed') : x === false ? badge('failed', 'denied') : badge('pending', 'unknown');
  return section(
    'Permission audit',
    h('p', null, badge(r.status), ` checked ${fmtTime(r.checkedAt)}`),
    r.error ? errorView(r.error) : null,
    h(
      'p',
      null,
      `Resource Center: ${r.resourceCenter?.enabled ? 'enabled' : 'not enabled'}${r.resourceCenter?.initialized ? ', initialized' : ''}`,
    ),
    table(
      ['Action', 'Allowed', 'How', 'Code'],
      ((r.permissions ?? []) as Json[]).map((p) =>
        tr(h('code', null, p.action), allowed(p.allowed), p.how, p.code ?? ''),
      ),
      'No permissions checked (the credential did not verify).',
    ),
    table(
      ['Region', 'Key pair', 'Exists', 'Private key', 'Error'],
      ((r.sshKeys ?? []) as Json[]).map((k) =>
        tr(
          k.regionId,
          k.keyPairName,
          allowed(k.exists),
          k.hasPrivateKey ? 'stored' : '—',
          k.error ? errorView(k.error) : '',
        ),
      ),
      'No SSH keys configured.',
    ),
  );
}

function editForm(a: Json, saved: () => void, cancel: () => void): HTMLElement {
  const name = input('name', { value: a.name, required: true });
  const groups = input('groups', { value: (a.groups ?? []).join(', ') });
  const region = input('defaultRegion', { value: a.defaultRegion ?? '' });
  const alibaba = input('alibabaAccountId', { value: a.alibabaAccountId ?? '' });
  const cred = credentialFields(true);
  const slot = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Edit account' },
    h('h2', null, 'Edit account'),
    field('Name', name),
    field('Groups', groups),
    field('Default region', region, 'empty clears it'),
    field('Alibaba account ID', alibaba, 'empty clears it; a change verifies again'),
    cred.el,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, 'Save'),
      h('button', { type: 'button', onclick: cancel }, 'Cancel'),
    ),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body: Json = {};
    if (name.value.trim() !== a.name) body.name = name.value.trim();
    const g = list(groups.value);
    if (g.join() !== (a.groups ?? []).join()) body.groups = g;
    if (region.value.trim() !== (a.defaultRegion ?? '')) body.defaultRegion = region.value.trim() || null;
    if (alibaba.value.trim() !== (a.alibabaAccountId ?? '')) body.alibabaAccountId = alibaba.value.trim() || null;
    const c = cred.value();
    if (c) body.credential = c;
    try {
      if (Object.keys(body).length) await api('PATCH', `/v1/accounts/${a.id}`, body);
      saved();
    } catch (err) {
      put(slot, errorView(err));
    } finally {
      cred.forget();
      delete body.credential;
    }
  });
  return form;
}

/** The account's audit trail, newest first, 20 at a time. */
function trail(id: string): HTMLElement {
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, 'Older changes');
  const slot = h('div');
  let cursor: string | undefined;
  const load = async () => {
    const r = await get(`/v1/accounts/${id}/changes${query({ limit: 20, cursor })}`);
    for (const c of r.items as Json[])
      body.appendChild(
        tr(
          fmtTime(c.at),
          c.what,
          `${c.actor?.name ?? c.by} (${c.actor?.role ?? c.actor?.kind ?? ''})`,
          h(
            'ul',
            { class: 'plain' },
            Object.entries(c.changes ?? {}).map(([k, v]) =>
              h(
                'li',
                null,
                h('code', null, k),
                ' ',
                v === 'changed' ? 'changed' : `${show((v as Json).from)} → ${show((v as Json).to)}`,
              ),
            ),
          ),
          c.outcome ? h('span', null, badge(c.outcome.status), c.outcome.code ? ` ${c.outcome.code}` : '') : '',
        ),
      );
    cursor = r.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load().catch((e) => put(slot, errorView(e))));
  load().catch((e) => put(slot, errorView(e)));
  return h('div', null, h('table', null, thead(['When', 'What', 'By', 'Changes', 'Outcome']), body), more, slot);
}
