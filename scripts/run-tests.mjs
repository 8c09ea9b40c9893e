// Runs every *.test.ts file in its own Node process (uvu through tsx) and ends with
// "N passed, N failed", which uvu does not print. A file that dies before uvu's summary counts as one failure.
// Usage: node scripts/run-tests.mjs [--jobs N] [path-filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
let jobs = 2;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Number(args[++i]);
  else filters.push(args[i]);
}
const FILE_TIMEOUT_MS = Number(process.env.FAULTLINE_TEST_TIMEOUT_MS ?? 5 * 60_000);
const SKIP = new Set(['node_modules', '.dev', '.tools', '.git', 'dist']);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const all = find(root).sort();
const files = filters.length ? all.filter((f) => filters.some((x) => f.includes(x))) : all;
// Integration tests share the real services: they run one at a time, after the unit tests.
const integration = files.filter((f) => f.startsWith('test/'));
const unit = files.filter((f) => !f.startsWith('test/'));

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function runFile(file) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', file], {
      cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => { out += `\n[killed after ${FILE_TIMEOUT_MS} ms]\n`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(out)?.[1] ?? NaN);
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped') || 0;
      let p = 0, f = 0;
      if (Number.isFinite(total) && Number.isFinite(passed)) {
        p = passed; f = total - passed - skipped;
        if (code !== 0 && f === 0) f = 1; // uvu counted no failure but the process failed (crash after the run)
      } else f = 1;
      totals.passed += p; totals.failed += f; totals.skipped += skipped;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${f ? 'FAIL' : 'ok  '} ${file} (${p} passed, ${f} failed, ${secs}s)\n`);
      if (f) { failures.push(file); process.stdout.write(out.replace(/^/gm, '    | ') + '\n'); }
      done();
    });
  });
}

async function pool(list, n) {
  const queue = [...list];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    while (queue.length) await runFile(queue.shift());
  }));
}

await pool(unit, jobs);
await pool(integration, 1);
if (failures.length) process.stdout.write(`\nfailed files:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
process.exit(totals.failed || files.length === 0 ? 1 : 0);
