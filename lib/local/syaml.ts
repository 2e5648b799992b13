/**
 * Reads `s.yaml` the way Serverless Devs renders it (`s preview -o json`, offline), and turns the
 * rendered document into what the local host needs: functions, timer triggers, async config and
 * the custom-domain route table. One source of truth for the cloud and the laptop.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TimerTrigger {
  name: string;
  cronExpression: string;
  payload: string;
  enable: boolean;
}

export interface LocalFunction {
  /** Resource key in s.yaml, also the `functions/<fn>` and `dist/<fn>` folder. */
  resource: string;
  /** FC function name (`fleet-settings`). */
  functionName: string;
  /** Code directory relative to the repository root (`./dist/settings`). */
  code: string;
  handler: string;
  memorySize: number;
  timeoutSec: number;
  /** Requests one instance takes at once (FC `instanceConcurrency`, default 1). */
  instanceConcurrency?: number;
  environment: Record<string, string>;
  http: boolean;
  timers: TimerTrigger[];
  /** `asyncInvokeConfig.maxAsyncRetryAttempts`; FC's default is 3. */
  maxAsyncRetryAttempts: number;
  asyncTask: boolean;
}

export interface DomainRoute {
  path: string;
  functionName: string;
  methods?: string[];
}

export interface DeploymentModel {
  region: string;
  functions: LocalFunction[];
  routes: DomainRoute[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, d = '') => (typeof v === 'string' ? v : v === undefined || v === null ? d : String(v));

/** The variables an s.yaml text reads with `${env('NAME', …)}`, sorted. */
export function envNamesOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{\s*env\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g)].map((m) => m[1]!))].sort();
}

/**
 * `renderSYaml`, cached under `<root>/dist/.cache/` by the content of s.yaml and the values of the
 * variables it reads (`${env('X')}`): the same inputs render the same document, and `s` costs
 * about a second of CPU per run — once per test file adds up.
 */
export async function renderSYamlCached(
  root: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Json> {
  const text = readFileSync(join(root, 's.yaml'), 'utf8');
  const names = envNamesOf(text);
  const key = createHash('sha256')
    .update(text)
    .update(JSON.stringify(names.map((n) => [n, env[n] ?? null])))
    .digest('hex')
    .slice(0, 32);
  const dir = join(root, 'dist', '.cache');
  const file = join(dir, `s-preview-${key}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Json;
    } catch {
      /* render again */
    }
  }
  const doc = await renderSYaml(root, env);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 });
  renameSync(tmp, file);
  return doc;
}

/** Runs `s preview -o json` on the repository's s.yaml with `env` as the variables' environment. */
export function renderSYaml(root: string, env: Record<string, string | undefined> = process.env): Promise<Json> {
  const bin = join(root, 'node_modules', '.bin', 's');
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ['preview', '-o', 'json', '-t', join(root, 's.yaml')],
      {
        cwd: root,
        env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } as NodeJS.ProcessEnv,
        maxBuffer: 8 << 20,
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        // s prints warnings on stdout before the document.
        const start = stdout.search(/^\{/m);
        if (err || start < 0) {
          reject(new Error(`s preview failed: ${(stderr || stdout || String(err)).trim().slice(0, 2000)}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.slice(start)) as Json);
        } catch (e) {
          reject(new Error(`s preview printed something that is not JSON: ${(e as Error).message}`));
        }
      },
    );
  });
}

/** Extracts functions, timers and routes from a rendered s.yaml document. */
export function toDeploymentModel(doc: Json): DeploymentModel {
  const functions: LocalFunction[] = [];
  const routes: DomainRoute[] = [];
  let region = '';
  for (const [resource, raw] of Object.entries(obj(doc.resources))) {
    const r = obj(raw);
    const props = obj(r.props);
    if (r.component === 'fc3') {
      region ||= str(props.region);
      const triggers = arr(props.triggers).map(obj);
      const async = obj(props.asyncInvokeConfig);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj(props.environmentVariables))) env[k] = str(v);
      functions.push({
        resource,
        functionName: str(props.functionName),
        code: str(props.code),
        handler: str(props.handler, 'index.handler'),
        memorySize: Number(props.memorySize ?? 512),
        timeoutSec: Number(props.timeout ?? 3),
        instanceConcurrency: Number(props.instanceConcurrency ?? 1),
        environment: env,
        http: triggers.some((t) => t.triggerType === 'http'),
        timers: triggers
          .filter((t) => t.triggerType === 'timer')
          .map((t) => {
            const c = obj(t.triggerConfig);
            return {
              name: str(t.triggerName),
              cronExpression: str(c.cronExpression),
              payload: str(c.payload),
              enable: c.enable !== false,
            };
          }),
        maxAsyncRetryAttempts: Number(async.maxAsyncRetryAttempts ?? 3),
        asyncTask: async.asyncTask === true,
      });
    } else if (r.component === 'fc3-domain') {
      for (const route of arr(obj(props.routeConfig).routes).map(obj)) {
        const methods = arr(route.methods).map((m) => str(m).toUpperCase());
        routes.push({
          path: str(route.path),
          functionName: str(route.functionName),
          ...(methods.length ? { methods } : {}),
        });
      }
    }
  }
  return { region: region || 'cn-hangzhou', functions, routes };
}

/**
 * FC custom-domain matching: an exact path wins, then the longest `prefix*` pattern.
 * `methods`, when given, must contain the request's method.
 */
export function matchRoute(routes: DomainRoute[], path: string, method: string): DomainRoute | undefined {
  const allowed = (r: DomainRoute) => !r.methods || r.methods.includes(method.toUpperCase());
  const exact = routes.find((r) => !r.path.endsWith('*') && r.path === path && allowed(r));
  if (exact) return exact;
  let best: DomainRoute | undefined;
  for (const r of routes) {
    if (!r.path.endsWith('*') || !allowed(r)) continue;
    const prefix = r.path.slice(0, -1);
    if (path.startsWith(prefix) && (!best || prefix.length > best.path.length - 1)) best = r;
  }
  return best;
}
