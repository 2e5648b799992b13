/** ECS key pairs: DescribeKeyPairs, ImportKeyPair, CreateKeyPair, DeleteKeyPairs. */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { apiError, invalidParam } from './errors';
import { isoMinutes, jsonList, opt, pageByNumber, req, tagFilter, tagsToSet, wildcard } from './params';
import { fingerprint, generateRsa, parsePublicKey } from './ssh-keys';
import { stateOf, type KeyPair } from './state';

export const KEY_PAIRS_PER_REGION = 500;

const ecsTags = (tags: { Key: string; Value: string }[]) => ({
  Tag: tags.map((t) => ({ TagValue: t.Value, TagKey: t.Key })),
});

function checkName(name: string) {
  if (!/^[A-Za-z][A-Za-z0-9._:-]{1,127}$/.test(name) || /^https?:\/\//.test(name)) {
    throw apiError('InvalidKeyPairName.Malformed', 400, 'The specified parameter "KeyPairName" is not valid.');
  }
}

function addKeyPair(ctx: OpContext, regionId: string, name: string, publicKey: string, blob: Buffer): KeyPair {
  const s = stateOf(ctx.account);
  const inRegion = s.keyPairs.filter((k) => k.regionId === regionId);
  if (inRegion.some((k) => k.name === name)) throw apiError('KeyPair.AlreadyExist', 400, 'The key pair already exist.');
  if (inRegion.length >= KEY_PAIRS_PER_REGION)
    throw apiError('QuotaExceed.KeyPair', 403, 'The key pair quota exceeds.');
  const kp: KeyPair = {
    name,
    regionId,
    fingerprint: fingerprint(blob),
    publicKey,
    createdAtMs: ctx.now(),
    tags: tagsToSet(ctx.params),
    resourceGroupId: opt(ctx.params, 'ResourceGroupId') ?? s.resourceGroupId,
  };
  s.keyPairs.push(kp);
  return kp;
}

export function describeKeyPairs(ctx: OpContext) {
  const regionId = requireRegion(ctx);
  const p = ctx.params;
  const nameMatch = opt(p, 'KeyPairName') ? wildcard(p.KeyPairName!) : () => true;
  const fp = opt(p, 'KeyPairFingerPrint');
  const rg = opt(p, 'ResourceGroupId');
  const tagOk = tagFilter(p);
  const all = stateOf(ctx.account).keyPairs.filter(
    (k) =>
      k.regionId === regionId &&
      nameMatch(k.name) &&
      (!fp || k.fingerprint === fp) &&
      (!rg || k.resourceGroupId === rg) &&
      tagOk(k.tags),
  );
  const page = pageByNumber(p, all, 50);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    KeyPairs: {
      KeyPair: page.items.map((k) => ({
        CreationTime: isoMinutes(k.createdAtMs),
        KeyPairName: k.name,
        KeyPairFingerPrint: k.fingerprint,
        ResourceGroupId: k.resourceGroupId,
        PublicKey: k.publicKey,
        Tags: ecsTags(k.tags),
      })),
    },
  };
}

export function importKeyPair(ctx: OpContext) {
  const regionId = requireRegion(ctx);
  const name = req(ctx.params, 'KeyPairName');
  const body = req(ctx.params, 'PublicKeyBody');
  checkName(name);
  const parsed = parsePublicKey(body);
  if (!parsed) throw apiError('InvalidPublicKeyBody.Malformed', 400, 'The PublicKeyBody format is not supported.');
  const kp = addKeyPair(ctx, regionId, name, body.trim(), parsed.blob);
  return { KeyPairName: kp.name, KeyPairFingerPrint: kp.fingerprint };
}

export function createKeyPair(ctx: OpContext) {
  const regionId = requireRegion(ctx);
  const name = req(ctx.params, 'KeyPairName');
  checkName(name);
  const s = stateOf(ctx.account);
  if (s.keyPairs.some((k) => k.regionId === regionId && k.name === name))
    throw apiError('KeyPair.AlreadyExist', 400, 'The key pair already exist.');
  const gen = generateRsa(name);
  const kp = addKeyPair(ctx, regionId, name, gen.publicKey, gen.blob);
  return { KeyPairName: kp.name, KeyPairFingerPrint: kp.fingerprint, PrivateKeyBody: gen.privateKeyPem };
}

export function deleteKeyPairs(ctx: OpContext) {
  const regionId = requireRegion(ctx);
  const names = jsonList(ctx.params, 'KeyPairNames', 100, 'InvalidKeyPairNames.ValueNotSupported');
  if (!names || names.length === 0)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "KeyPairNames" that is mandatory for processing this request is not supplied.',
    );
  if (names.some((n) => !n)) throw invalidParam('KeyPairNames', 'InvalidKeyPairNames.ValueNotSupported');
  const s = stateOf(ctx.account);
  s.keyPairs = s.keyPairs.filter((k) => !(k.regionId === regionId && names.includes(k.name)));
  return {};
}
