/**
 * CLI: `tsx lib/sandbox/main.ts` starts the sandbox alone on SANDBOX_PORT (default 9100) with
 * state under FLEET_DATA_DIR (default .data), SANDBOX_TIME_SCALE (default 1).
 */
import { startSandbox } from './server';

const port = Number(process.env.SANDBOX_PORT ?? 9100);
const dataDir = process.env.FLEET_DATA_DIR ?? '.data';
const timeScale = Number(process.env.SANDBOX_TIME_SCALE ?? 1);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('SANDBOX_PORT must be a port number');
if (!(timeScale > 0)) throw new Error('SANDBOX_TIME_SCALE must be a number > 0');

const sandbox = await startSandbox({ port, dataDir, timeScale });
console.log(
  `sandbox listening on ${sandbox.url} (data ${dataDir}, time scale ${timeScale}, tablestore ${sandbox.tablestore ? 'on' : 'off'}, cloud ${sandbox.cloud ? 'on' : 'off'})`,
);
if (process.argv.includes('--create-account')) {
  const keys = await sandbox.createAccount();
  console.log(JSON.stringify(keys));
}
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
