// `faultline topics create|list` against the real broker, with a topics file of the test's own
// (unique names), since the shared broker's faultline topics may already exist with other settings.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, SERVICES, ensureServices } from '../support/index.js';

const run = promisify(execFile);
await ensureServices('kafka');
const dir = mkdtempSync(join(tmpdir(), 'fl-topics-cli-'));
const id = randomUUID().slice(0, 8);
const pipeline = join(dir, 'pipeline.yaml');
const topics = join(dir, 'topics.yaml');
writeFileSync(pipeline, `node: t\ndata_dir: ${dir}/data\nbus:\n  type: kafka\n  kafka:\n    brokers: [${SERVICES.kafka.brokers[0]}]\n`);
writeFileSync(topics, `topics:
  - name: cli-${id}-events
    partitions: 4
    config: { retention.ms: "3600000" }
  - name: cli-${id}-state
    partitions: 2
    config: { cleanup.policy: compact }
`);
const faultline = (...args: string[]) => run(resolve(ROOT, 'faultline'), args, { cwd: ROOT, timeout: 120_000 });

test('topics create makes what is missing with its partitions and settings, and leaves it alone the second time', async () => {
  const first = await faultline('topics', 'create', '-c', pipeline, '--topics', topics);
  assert.match(first.stdout, new RegExp(`created cli-${id}-events \\(4 partitions, retention.ms=3600000\\)`));
  assert.match(first.stdout, new RegExp(`created cli-${id}-state \\(2 partitions, cleanup.policy=compact\\)`));
  const second = await faultline('topics', 'create', '-c', pipeline, '--topics', topics);
  assert.match(second.stdout, new RegExp(`exists  cli-${id}-events`));
  const list = await faultline('topics', 'list', '-c', pipeline, '--topics', topics);
  const line = (name: string) => list.stdout.split('\n').find((l) => l.startsWith(`${name}\t`)) ?? '';
  assert.match(line(`cli-${id}-events`), /\t4\tretention.ms=3600000 {2}\(as in topics.yaml\)/);
  assert.match(line(`cli-${id}-state`), /\t2\tcleanup.policy=compact {2}\(as in topics.yaml\)/);
});

test('topics create refuses a pipeline file on the embedded bus', async () => {
  const embedded = join(dir, 'embedded.yaml');
  writeFileSync(embedded, 'bus:\n  type: embedded\n');
  const failed = await faultline('topics', 'create', '-c', embedded, '--topics', topics).then(() => '', (e: { stderr: string }) => e.stderr);
  assert.match(failed, /embedded bus/);
});

test.run();
