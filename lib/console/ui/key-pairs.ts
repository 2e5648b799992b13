/**
 * An account's regions and, per region, its key pairs and the SSH key the account uses there
 * (admins pick one and may store its private key: sent once, then forgotten by the page).
 */
import { api, get, type Json } from './api';
import type { Ctx } from './app';
import { fmtTime, h, put } from './dom';
import { actionButton, errorView, field, fillSelect, input, table, tr } from './widgets';

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
      ctx.canOperate ? addKeyPairForm(a, regionId, ctx.canWrite, saved) : null,
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

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** OpenSSH's `string` encoding: a big-endian uint32 length, then the bytes. */
function sshString(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/** A new Ed25519 pair made in this browser: the OpenSSH public line and the PKCS#8 PEM private key. */
async function generateEd25519(comment: string): Promise<{ publicLine: string; privatePem: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const type = new TextEncoder().encode('ssh-ed25519');
  const blob = new Uint8Array([...sshString(type), ...sshString(raw)]);
  const pkcs8 = b64(new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)));
  const lines = pkcs8.match(/.{1,64}/g) ?? [];
  return {
    publicLine: `ssh-ed25519 ${b64(blob)} ${comment}`,
    privatePem: `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`,
  };
}

function saveFile(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Adds a key pair to the region: made here (Ed25519; the private key is downloaded and, for an
 * admin, stored as the region's SSH key, then dropped) or imported from a public key.
 */
export function addKeyPairForm(a: Json, regionId: string, canWrite: boolean, saved: () => void): HTMLElement {
  const name = input('keyPairName', { required: true, placeholder: 'deploy-key', maxlength: '128' });
  const how = h('select', { name: 'how' });
  fillSelect(how, [
    ['generate', 'generate a new Ed25519 key pair in this browser'],
    ['import', 'import an existing public key'],
  ]);
  const pub = h('textarea', {
    name: 'publicKeyBody',
    rows: 3,
    spellcheck: 'false',
    placeholder: 'ssh-ed25519 AAAA… me@host',
  });
  const store = h('input', {
    type: 'checkbox',
    id: `store-${regionId}`,
    name: 'store',
    checked: canWrite,
    disabled: !canWrite,
  });
  const pubField = field('Public key (OpenSSH)', pub);
  const storeField = h(
    'div',
    { class: 'check' },
    store,
    h('label', { for: store.id }, `store the private key as the account's SSH key for ${regionId} (admins)`),
  );
  const sync = () => {
    pubField.hidden = how.value !== 'import';
    storeField.hidden = how.value !== 'generate';
  };
  how.addEventListener('change', sync);
  sync();
  const slot = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Add a key pair' },
    h('h3', null, `Add a key pair in ${regionId}`),
    h('div', { class: 'grid' }, field('Key pair name', name), field('How', how)),
    pubField,
    storeField,
    h('button', { type: 'submit' }, 'Add key pair'),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    put(slot);
    const keyPairName = name.value.trim();
    let made: { publicLine: string; privatePem: string } | undefined;
    try {
      if (how.value === 'generate') made = await generateEd25519(keyPairName);
      await api('POST', `/v1/catalog/${a.id}/regions/${regionId}/key-pairs`, {
        keyPairName,
        publicKeyBody: made ? made.publicLine : pub.value.trim(),
      });
      if (made) {
        saveFile(`${keyPairName}.pem`, made.privatePem);
        if (store.checked)
          await api('PATCH', `/v1/accounts/${a.id}`, {
            sshKeys: { [regionId]: { keyPairName, privateKey: made.privatePem } },
          });
      }
      saved();
    } catch (err) {
      put(slot, errorView(err));
    } finally {
      made = undefined;
    }
  });
  return form;
}
