/**
 * The deploy form: every choice comes from the catalog of the chosen account and region (instance
 * types, zones with stock for the type, images, key pairs); the rest are the spec's options.
 */
import { api, get, type Json } from './api';
import { accountLabel, accountsOf, type Ctx } from './app';
import { h, put } from './dom';
import { errorView, field, fillSelect, input, select } from './widgets';

type Opt = [string, string] | [string, string, boolean];
const loading: Opt[] = [['', 'Loading…', true]];

function ingressRow(
  rule: { protocol: string; portRange: string; sourceCidr: string },
  remove: (row: HTMLElement) => void,
) {
  const proto = select(
    'protocol',
    [
      ['tcp', 'tcp'],
      ['udp', 'udp'],
      ['icmp', 'icmp'],
    ],
    rule.protocol,
  );
  const ports = input('portRange', { value: rule.portRange, 'aria-label': 'Port range', size: '11' });
  const cidr = input('sourceCidr', { value: rule.sourceCidr, 'aria-label': 'Source CIDR', size: '16' });
  proto.setAttribute('aria-label', 'Protocol');
  const row = h('div', { class: 'row rule' }, proto, ports, cidr);
  row.appendChild(
    h(
      'button',
      { type: 'button', 'aria-label': `Remove rule ${rule.portRange}`, onclick: () => remove(row) },
      'Remove',
    ),
  );
  return {
    row,
    value: () => ({ protocol: proto.value, portRange: ports.value.trim(), sourceCidr: cidr.value.trim() }),
  };
}

export async function deployForm(ctx: Ctx, created: (s: Json) => void): Promise<HTMLElement> {
  const accounts = (await accountsOf(get)).filter((a) => a.verification?.status === 'verified');
  if (!accounts.length)
    return h(
      'p',
      null,
      'No verified account in your groups: ',
      h('a', { href: '#/accounts' }, 'add or verify one'),
      ' first.',
    );
  const acc = select(
    'accountId',
    accounts.map((a): Opt => [a.id, accountLabel(a)]),
    ctx.query.get('accountId') ?? undefined,
  );
  const region = select('regionId', loading);
  const type = select('instanceType', loading);
  const zone = select('zoneId', loading);
  const image = select('imageId', loading);
  const keyPair = select('keyPairName', loading);
  const name = input('name', { required: true, placeholder: 'web-1', maxlength: '128' });
  const mode = select('networkMode', [
    ['dedicated', 'dedicated — a new VPC, VSwitch and security group for this server'],
    ['shared', 'shared — one VPC per account and region, reused'],
    ['existing', 'existing — a VPC and VSwitch you name'],
  ]);
  const cidr = input('cidrBlock', { placeholder: '10.0.0.0/16 (default)' });
  const vpcId = input('vpcId', { placeholder: 'vpc-…' });
  const vSwitchId = input('vSwitchId', { placeholder: 'vsw-…' });
  const ipType = select('publicIp', [
    ['eip', 'EIP (elastic, pay by traffic)'],
    ['ephemeral', 'ephemeral public IP'],
    ['none', 'none'],
  ]);
  const bandwidth = input('bandwidthMbps', { type: 'number', min: '1', max: '200', value: '5' });
  const script = h('textarea', {
    name: 'bootstrap',
    rows: 5,
    spellcheck: 'false',
    placeholder: '#!/bin/bash\napt-get install -y nginx',
  });
  const rules = h('div', { class: 'rules' });
  const ruleValues: Array<{ row: HTMLElement; value: () => Json }> = [];
  const addRule = (r: { protocol: string; portRange: string; sourceCidr: string }) => {
    const x = ingressRow(r, (row) => {
      row.remove();
      ruleValues.splice(ruleValues.indexOf(x), 1);
    });
    ruleValues.push(x);
    rules.appendChild(x.row);
  };
  for (const p of ['22/22', '80/80', '443/443']) addRule({ protocol: 'tcp', portRange: p, sourceCidr: '0.0.0.0/0' });
  const existing = h('div', null, field('VPC id', vpcId), field('VSwitch id', vSwitchId));
  const dedicated = h('div', null, field('VPC CIDR block (optional)', cidr));
  const syncMode = () => {
    existing.hidden = mode.value !== 'existing';
    dedicated.hidden = mode.value !== 'dedicated';
  };
  mode.addEventListener('change', syncMode);
  syncMode();
  ipType.addEventListener('change', () => {
    bandwidth.disabled = ipType.value === 'none';
  });
  const slot = h('div');
  const account = () => accounts.find((a) => a.id === acc.value)!;
  const base = () => `/v1/catalog/${acc.value}/regions/${region.value}`;
  // Each choice reloads what depends on it; a stale answer (the user moved on) is dropped.
  let gen = 0;
  const guard = async (work: (g: number) => Promise<void>) => {
    const g = ++gen;
    try {
      await work(g);
    } catch (e) {
      if (g === gen) put(slot, errorView(e));
    }
  };
  const loadZones = () =>
    guard(async (g) => {
      fillSelect(zone, loading);
      const z = await get(`${base()}/zones?instanceType=${encodeURIComponent(type.value)}`);
      if (g !== gen) return;
      const inStock = (z.items as Json[]).filter((x) => x.available).length;
      fillSelect(zone, [
        [
          '',
          inStock ? `first zone with stock (${inStock} of ${z.items.length})` : 'no zone has this type in stock',
          !inStock,
        ],
        ...(z.items as Json[]).map(
          (x): Opt => [x.zoneId, `${x.zoneId}${x.available ? ' — in stock' : ' — no stock'}`, !x.available],
        ),
      ]);
    });
  const loadRegion = () =>
    guard(async (g) => {
      for (const s of [type, zone, image, keyPair]) fillSelect(s, loading);
      const [types, images, pairs] = await Promise.all([
        get(`${base()}/instance-types`),
        get(`${base()}/images`),
        get(`${base()}/key-pairs`),
      ]);
      if (g !== gen) return;
      fillSelect(
        type,
        (types.items as Json[]).map(
          (t): Opt => [t.instanceType, `${t.instanceType} — ${t.cpu} vCPU, ${t.memoryGiB} GiB`],
        ),
        type.value,
      );
      fillSelect(
        image,
        (images.items as Json[]).map((i): Opt => [i.imageId, `${i.osName ?? i.name} (${i.imageId})`]),
      );
      const own = account().sshKeys?.[region.value]?.keyPairName as string | undefined;
      fillSelect(keyPair, [
        ['', own ? `the account's SSH key for ${region.value} (${own})` : 'none (no SSH key set for this region)'],
        ...(pairs.items as Json[]).map((k): Opt => [k.keyPairName, k.keyPairName]),
      ]);
      gen++;
      await loadZones();
    });
  const loadAccount = () =>
    guard(async (g) => {
      fillSelect(region, loading);
      const r = await get(`/v1/catalog/${acc.value}/regions`);
      if (g !== gen) return;
      fillSelect(
        region,
        (r.items as Json[]).map((x): Opt => [x.regionId, `${x.regionId} — ${x.localName}`]),
        account().defaultRegion ?? undefined,
      );
      gen++;
      await loadRegion();
    });
  acc.addEventListener('change', loadAccount);
  region.addEventListener('change', loadRegion);
  type.addEventListener('change', loadZones);

  // One key per filled-in form: sending it twice (a double click, a retry after a lost answer) makes one server.
  let idempotencyKey = crypto.randomUUID();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Deploy');
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Deploy a server' },
    h(
      'div',
      { class: 'grid' },
      field('Account', acc),
      field('Region', region),
      field('Instance type', type),
      field('Zone', zone, 'zones come from the catalog: only those with the type in stock'),
    ),
    h(
      'div',
      { class: 'grid' },
      field('Image', image),
      field('Key pair', keyPair),
      field('Name', name, 'a letter first, then letters, digits, . _ : -'),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Network'),
      field('Mode', mode),
      dedicated,
      existing,
      h('div', { class: 'grid' }, field('Public IP', ipType), field('Bandwidth (Mbit/s)', bandwidth)),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Ingress rules (protocol, ports, source)'),
      rules,
      h(
        'button',
        {
          type: 'button',
          onclick: () => addRule({ protocol: 'tcp', portRange: '8080/8080', sourceCidr: '0.0.0.0/0' }),
        },
        'Add rule',
      ),
    ),
    field('Bootstrap script (optional)', script, 'runs once through Cloud Assistant when the instance is up'),
    h('div', { class: 'row' }, submit, h('a', { class: 'button', href: '#/servers' }, 'Cancel')),
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const spec: Json = {
      accountId: acc.value,
      regionId: region.value,
      name: name.value.trim(),
      instanceType: type.value,
      imageId: image.value,
      network:
        mode.value === 'existing'
          ? { mode: 'existing', vpcId: vpcId.value.trim(), vSwitchId: vSwitchId.value.trim() }
          : mode.value === 'dedicated' && cidr.value.trim()
            ? { mode: 'dedicated', cidrBlock: cidr.value.trim() }
            : { mode: mode.value },
      publicIp:
        ipType.value === 'none' ? { type: 'none' } : { type: ipType.value, bandwidthMbps: Number(bandwidth.value) },
      ingress: ruleValues.map((r) => r.value()),
    };
    if (keyPair.value) spec.keyPairName = keyPair.value;
    if (zone.value) spec.zoneId = zone.value;
    if (script.value.trim()) spec.bootstrap = { script: script.value };
    submit.disabled = true;
    put(slot);
    try {
      const s = await api('POST', '/v1/servers', spec, { 'idempotency-key': idempotencyKey });
      idempotencyKey = crypto.randomUUID();
      created(s);
    } catch (err) {
      put(slot, errorView(err));
    } finally {
      submit.disabled = false;
    }
  });
  void loadAccount();
  return form;
}
