import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import { createRegistry, loadPipelineConfig } from '../src/index.js';
import { attemptWithRetry } from '../src/processor-retry.js';

const policy = { maxAttempts: 4, backoffMs: 1, maxBackoffMs: 3 };
const failing = (times: number) => {
  let calls = 0;
  return { attempt: async () => { calls++; if (calls <= times) throw new Error(`failure ${calls}`); }, calls: () => calls };
};

test('an attempt that succeeds after failures returns nothing; the waits double up to the cap', async () => {
  const f = failing(3);
  const waits: number[] = [];
  const result = await attemptWithRetry(policy, f.attempt, { onRetry: (_e, _n, ms) => waits.push(ms), stopping: () => false });
  assert.is(result, undefined);
  assert.is(f.calls(), 4);
  assert.equal(waits, [1, 2, 3]);
});

test('after max_attempts the last error is returned, not thrown', async () => {
  const f = failing(Infinity);
  const result = await attemptWithRetry(policy, f.attempt, { onRetry: () => {}, stopping: () => false });
  assert.is(f.calls(), 4);
  assert.is(result?.message, 'failure 4');
});

test('while the pipeline stops, a failure is thrown at once: the batch stays with the bus', async () => {
  const f = failing(Infinity);
  try {
    await attemptWithRetry(policy, f.attempt, { onRetry: () => {}, stopping: () => true });
    assert.unreachable('it throws');
  } catch (err) {
    assert.is((err as Error).message, 'failure 1');
  }
  assert.is(f.calls(), 1);
});

test('processor_retry in the pipeline file: defaults 5 attempts from 100ms to 5s, durations parsed', () => {
  const registry = createRegistry([{
    kind: 'collector', type: 'none', stability: 'development', description: '', configSchema: Type.Object({}),
    create: () => ({ start: async () => {}, stop: async () => {} }),
  }]);
  const load = (text: string) => loadPipelineConfig('p.yaml', registry, { text, env: {} }).processorRetry;
  assert.equal(load('node: n\n'), { maxAttempts: 5, backoffMs: 100, maxBackoffMs: 5000 });
  assert.equal(load('processor_retry: { max_attempts: 2, backoff: 1s, max_backoff: 1m }\n'), { maxAttempts: 2, backoffMs: 1000, maxBackoffMs: 60_000 });
  assert.throws(() => load('processor_retry: { max_attempts: 0 }\n'), /processor_retry\.max_attempts/);
});

test.run();
