/**
 * An account's regions and, per region, its key pairs and the SSH key the account uses there
 * (admins pick one and may store its private key: sent once, then forgotten by the page).
 */
import { api, get, type Json } from './api';
import type { Ctx } from './app';
import { fmtTime, h, put } from './dom';
import { actionButton, errorView, field, fillSelect, table, tr } from './widgets';

export function regionsAndKeys(a: Json, ctx: Ctx, saved: () => void): HTMLElement {
  const root = h('div');
  if (a.verification?.status !== 'verified') {
    put(root, h('p', { class: 'muted' }, 'Regions and key pairs appear once the credential verifies.'));
    return root;
  }
  const regionSel = h('select', { name: 'region' });
  const pairs = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const msg = h('div');
  put(root, field('Region', regionSel), msg, pairs);
  const showRegion = async () => {
    const regionId = regionSel.value;
    put(pairs, h('p', { class: 'muted' }, 'Loading key pairs…'));
    const r = await get(`/v1/catalog/${a.id}/regions/${regionId}/key-pairs`);
    const mine = a.sshKeys?.[regionId] as { keyPairName: string; hasPrivateKey: boolean } | undefined;
    const patch = async (value: Json) => {
      await api('PATCH', `/v1/accounts/${a.id}`, { sshKeys: { [regionId]: value } });
      saved();
    };
    put(
      pairs,
      h(
        'p',
        null,
        mine
          ? `SSH key in ${regionId}: ${mine.keyPairName} (${mine.hasPrivateKey ? 'private key stored' : 'no private key stored'})`
          : `No SSH key set for ${regionId}: builds there need a key pair in their spec.`,
        ' ',
        ctx.canWrite && mine ? actionButton('Unset', () => patch(null), msg) : null,
      ),
      table(
        ['Key pair', 'Fingerprint', 'Created', ''],
        (r.items as Json[]).map((k) =>
          tr(
            k.keyPairName,
            h('code', { class: 'small' }, k.fingerprint),
            fmtTime(k.createdAt),
            ctx.canWrite && mine?.keyPairName !== k.keyPairName
              ? actionButton('Use as SSH key', () => patch({ keyPairName: k.keyPairName }), msg)
              : mine?.keyPairName === k.keyPairName
                ? 'in use'
                : '',
          ),
        ),
        'No key pairs in this region.',
      ),
      ctx.canWrite && r.items.length ? importForm(a, regionId, r.items as Json[], mine?.keyPairName, saved) : null,
    );
  };
  get(`/v1/catalog/${a.id}/regions`)
    .then((r) => {
      const items = r.items as Json[];
      fillSelect(
        regionSel,
        items.map((x) => [x.regionId, `${x.regionId} — ${x.localName}`]),
        a.defaultRegion ?? undefined,
      );
      regionSel.addEventListener('change', () => showRegion().catch((e) => put(pairs, errorView(e))));
      return items.length ? showRegion() : put(pairs, h('p', { class: 'muted' }, 'The account has no regions.'));
    })
    .catch((e) => put(pairs, errorView(e)));
  return root;
}

/** Stores a key pair's private key as the region's SSH key; the text area is emptied after the request. */
function importForm(a: Json, regionId: string, items: Json[], current: string | undefined, saved: () => void) {
  const sel = h('select', { name: 'keyPairName' });
  fillSelect(
    sel,
    items.map((k) => [k.keyPairName, k.keyPairName]),
    current,
  );
  const pem = h('textarea', {
    name: 'privateKey',
    rows: 4,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '-----BEGIN … PRIVATE KEY-----',
  });
  const slot = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Import a private key' },
    h('h3', null, `Import a private key for ${regionId}`),
    field('Key pair', sel),
    field('Private key (PEM, no passphrase)', pem, 'sent once and stored encrypted; never shown again'),
    h('button', { type: 'submit' }, 'Import private key'),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { sshKeys: { [regionId]: { keyPairName: sel.value, privateKey: pem.value } } };
    try {
      await api('PATCH', `/v1/accounts/${a.id}`, body);
      saved();
    } catch (err) {
      put(slot, errorView(err));
    } finally {
      pem.value = '';
      body.sshKeys[regionId]!.privateKey = '';
    }
  });
  return form;
}
