/**
 * The console: a token form, then screens chosen by the URL's hash (`#/servers/srv-…`). The hash
 * holds only ids and filters; the token stays in sessionStorage.
 */
import { ApiError, get, token, whenUnauthenticated } from './api';
import type { Ctx, Me, Screen } from './app';
import { h, put } from './dom';
import { accountScreen, accountsScreen, newAccountScreen } from './accounts';
import { assetScreen, inventoryScreen, scanScreen } from './inventory';
import { deployScreen, orphansScreen, serverScreen, serversScreen } from './servers';
import { tokensScreen } from './tokens';
import { errorView, field, input } from './widgets';

const version = document.querySelector('meta[name="fleet-version"]')?.getAttribute('content') ?? '';
const app = document.getElementById('app')!;
let me: Me | undefined;
let leave: Array<() => void> = [];

const SCREENS: Record<string, (parts: string[]) => Screen | undefined> = {
  accounts: (p) => (p[0] === 'new' ? newAccountScreen : p[0] ? accountScreen : accountsScreen),
  servers: (p) => (p[0] === 'new' ? deployScreen : p[0] ? serverScreen : serversScreen),
  orphans: () => orphansScreen,
  inventory: () => inventoryScreen,
  scans: (p) => (p[0] ? scanScreen : undefined),
  assets: (p) => (p[1] ? assetScreen : undefined),
  tokens: () => tokensScreen,
};

const NAV: Array<[string, string, (m: Me) => boolean]> = [
  ['accounts', 'Accounts', () => true],
  ['servers', 'Servers', () => true],
  ['orphans', 'Orphans', () => true],
  ['inventory', 'Inventory', () => true],
  ['tokens', 'Tokens', (m) => m.role === 'admin'],
];

function signIn(problem?: unknown) {
  me = undefined;
  const tok = input('token', { type: 'password', required: true, autocomplete: 'off' });
  const slot = h('div');
  if (problem) put(slot, errorView(problem));
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'alicloud-fleet console'),
    h(
      'p',
      { class: 'muted' },
      'Paste an API token. It stays in this tab only (session storage) and is sent only as a bearer header.',
    ),
    field('API token', tok),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = tok.value.trim();
    tok.value = '';
    if (!t) return;
    token.set(t);
    await start();
  });
  put(app, h('main', { class: 'narrow' }, form));
  tok.focus();
}

function signOut() {
  token.clear();
  for (const f of leave) f();
  leave = [];
  history.replaceState(null, '', location.pathname);
  signIn();
}

async function start() {
  try {
    me = (await get('/v1/whoami')) as Me;
  } catch (e) {
    token.clear();
    if (!(e instanceof ApiError && e.status === 401)) signIn(e); // a 401 already did
    return;
  }
  if (!location.hash) history.replaceState(null, '', '#/accounts');
  render();
}

function shell(name: string, m: Me): HTMLElement {
  const main = h('main', { id: 'main', tabindex: '-1' });
  const who = `${m.name ?? m.kind} · ${m.role}${m.groups.length ? ` · groups ${m.groups.join(', ')}` : ''}`;
  put(
    app,
    h(
      'header',
      null,
      h('a', { class: 'brand', href: '#/accounts' }, 'alicloud-fleet'),
      version ? h('span', { class: 'muted small' }, `v${version}`) : null,
      h(
        'nav',
        { 'aria-label': 'Sections' },
        NAV.filter(([, , ok]) => ok(m)).map(([k, label]) =>
          h('a', { href: `#/${k}`, 'aria-current': k === name ? 'page' : false }, label),
        ),
      ),
      h('span', { class: 'who', title: 'signed in as' }, who),
      h('button', { type: 'button', onclick: signOut }, 'Sign out'),
    ),
    main,
  );
  return main;
}

function render() {
  for (const f of leave) f();
  leave = [];
  if (!me) return signIn();
  const [path = '', qs = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name = 'accounts', ...parts] = path.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return '';
    }
  });
  const screen = SCREENS[name]?.(parts);
  const root = shell(name, me);
  if (!screen || (name === 'tokens' && me.role !== 'admin')) {
    put(
      root,
      h('h1', null, 'Not found'),
      h('p', null, 'There is no such page. ', h('a', { href: '#/accounts' }, 'Accounts')),
    );
    return;
  }
  const ctx: Ctx = {
    me,
    canWrite: me.role === 'admin',
    canOperate: me.role === 'admin' || me.role === 'operator',
    params: parts,
    query: new URLSearchParams(qs),
    go: (hash) => {
      location.hash = hash;
    },
    onLeave: (f) => leave.push(f),
  };
  Promise.resolve(screen(root, ctx)).catch((e) => {
    if (!(e instanceof ApiError && e.status === 401)) put(root, errorView(e));
  });
}

whenUnauthenticated((e) => {
  token.clear();
  for (const f of leave) f();
  leave = [];
  signIn(e);
});
window.addEventListener('hashchange', () => {
  if (me) render();
});

if (token.get()) void start();
else signIn();
