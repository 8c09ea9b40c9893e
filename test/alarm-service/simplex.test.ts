// `faultline run` with the single-node pipeline's correlator serves the alarm service, and the CLI finds it with no
// setup: the URL and the generated token come from the same pipeline file.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, waitFor } from '../support/index.js';
import { freePort } from '../support/alarm-service.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'fl-simplex-'));
const port = await freePort();
const file = join(dir, 'simplex.yaml');
// The shipped file's correlator (the alarm service), alone, with its data dir and port moved out of the way:
// the other components of simplex.yaml listen on fixed ports that other runs on this machine may hold.
const shipped = parse(readFileSync(resolve(ROOT, 'deploy/pipelines/simplex.yaml'), 'utf8')) as {
  processors: { correlator: { api: { listen: string }; rules: { files: string[] } } };
};
const correlator = shipped.processors.correlator;
correlator.api.listen = `127.0.0.1:${port}`;
// Its paths are relative to deploy/pipelines/, where the copy is not.
correlator.rules.files = correlator.rules.files.map((f) => resolve(ROOT, 'deploy/pipelines', f));
writeFileSync(file, stringify({ bus: { type: 'embedded' }, data_dir: join(dir, 'data'), processors: { correlator } }));
const env = { ...process.env, FAULTLINE_API_TOKEN: '', FAULTLINE_API_TOKENS: '', FAULTLINE_API_URL: '' };
const pipeline = spawn(resolve(ROOT, 'faultline'), ['run', '-c', file], { cwd: ROOT, env, stdio: 'ignore' });
// The CLI as ./faultline runs it, minus its install check: the same code, a few seconds less per call.
const cli = async (...args: string[]) => (await run(process.execPath, [
  '--conditions=@faultline/source', '--import', resolve(ROOT, 'node_modules/tsx/dist/loader.mjs'), resolve(ROOT, 'runtime/cli/src/main.ts'),
  ...args, '-c', file,
], { cwd: ROOT, env })).stdout;

test.after(async () => {
  pipeline.kill('SIGTERM');
  await new Promise((r) => pipeline.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

test('faultline run serves the API; alarm list, fault set and alarm summary work with no token or URL given', async () => {
  const tokenFile = join(dir, 'data', 'processors.correlator', 'api-token');
  await waitFor('the generated token file', () => { try { return statSync(tokenFile); } catch { return undefined; } }, 60_000);
  assert.is(statSync(tokenFile).mode & 0o777, 0o600, 'the token file is readable by its owner only');
  await waitFor('the API', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 30_000);
  assert.match(await cli('alarm', 'list'), /^0 alarm\(s\)$/m);
  assert.match(await cli('fault', 'set', '700.110', 'host=simplex-0.interface=eth0', '--reason', 'carrier lost'), /set accepted/);
  const listed = await waitFor('the alarm', async () => {
    const out = await cli('alarm', 'list');
    return out.includes('700.110') ? out : undefined;
  }, 20_000, 300);
  assert.match(listed, /700\.110\s+major\s+host=simplex-0\.interface=eth0 .* carrier lost/);
  assert.match(await cli('alarm', 'summary'), /^status: degraded/);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /faultline_bus_records_produced_total\{topic="alarms"\} [1-9]/, 'the runtime\'s own metrics are served too');
  assert.match(metrics, /faultline_alarms_active 1/);
  const unauthorised = await fetch(`http://127.0.0.1:${port}/v1/alarms`);
  assert.is(unauthorised.status, 401);
});

test.run();
