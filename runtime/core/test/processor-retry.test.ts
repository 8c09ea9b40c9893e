import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import { createRegistry, loadPipelineConfig } from '../src/index.js';
import { SYSTEMIC_AFTER_FAILED_RECORDS, attemptWithRetry, isolateFailures, retryWaitsMs } from '../src/processor-retry.js';

const policy = { maxAttempts: 4, backoffMs: 1, maxBackoffMs: 3 };
const running = () => new AbortController().signal;
const failing = (times: number) => {
  let calls = 0;
  return { attempt: async () => { calls++; if (calls <= times) throw new Error(`failure ${calls}`); }, calls: () => calls };
};

test('an attempt that succeeds after failures returns nothing; the waits double up to the cap', async () => {
  const f = failing(3);
  const waits: number[] = [];
  const result = await attemptWithRetry(policy, f.attempt, { onRetry: (_e, _n, ms) => waits.push(ms), stopping: running() });
  assert.is(result, undefined);
  assert.is(f.calls(), 4);
  assert.equal(waits, [1, 2, 3]);
});

test('after max_attempts the last error is returned, not thrown', async () => {
  const f = failing(Infinity);
  const result = await attemptWithRetry(policy, f.attempt, { onRetry: () => {}, stopping: running() });
  assert.is(f.calls(), 4);
  assert.is(result?.message, 'failure 4');
});

test('while the pipeline stops, a failure is thrown at once: the batch stays with the bus', async () => {
  const f = failing(Infinity);
  const stop = new AbortController();
  stop.abort();
  try {
    await attemptWithRetry(policy, f.attempt, { onRetry: () => {}, stopping: stop.signal });
    assert.unreachable('it throws');
  } catch (err) {
    assert.is((err as Error).message, 'failure 1');
  }
  assert.is(f.calls(), 1);
});

test('a stop during a wait ends it: a long backoff does not hold the stop back', async () => {
  const f = failing(Infinity);
  const stop = new AbortController();
  const hourly = { maxAttempts: 3, backoffMs: 3_600_000, maxBackoffMs: 3_600_000 };
  const outcome = attemptWithRetry(hourly, f.attempt, { onRetry: () => stop.abort(), stopping: stop.signal }).then(
    () => 'resolved', (err: Error) => `threw ${err.message}`,
  );
  // The guard only keeps a broken build from hanging the suite.
  const guard = new Promise<string>((r) => setTimeout(() => r('still waiting'), 20_000).unref());
  assert.is(await Promise.race([outcome, guard]), 'threw failure 1');
  assert.is(f.calls(), 1, 'no attempt after the stop');
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** A handle() over numbered records that throws on a part holding any of `bad`; records every part it is given. */
function handler(bad: (i: number) => boolean) {
  const parts: number[][] = [];
  return {
    parts,
    attempt: async (part: readonly number[]) => {
      parts.push([...part]);
      const poison = part.find(bad);
      if (poison !== undefined) throw new Error(`cannot handle ${poison}`);
      return part.map((i) => `out-${i}`);
    },
  };
}

test('one poison record among good ones: only it fails, the others produce once and in order, in about 2 log2 n calls', async () => {
  for (const [n, poison] of [[2, 0], [2, 1], [10, 7], [1000, 0], [1000, 999], [1000, 437]] as const) {
    const h = handler((i) => i === poison);
    const r = await isolateFailures(range(n), new Error('batch failed'), h.attempt, running());
    assert.equal(r.outputs, range(n).filter((i) => i !== poison).map((i) => `out-${i}`), `n=${n} poison=${poison}`);
    assert.equal(r.failures.map((f) => [f.items, f.error.message, f.isolated]), [[[poison], `cannot handle ${poison}`, true]]);
    assert.is(r.calls, h.parts.length);
    assert.ok(r.calls <= 2 * Math.ceil(Math.log2(n)), `n=${n}: ${r.calls} calls`);
  }
});

test('parts are handled in batch order, halves first-half-larger, each part once', async () => {
  const h = handler((i) => i === 2 || i === 5);
  const r = await isolateFailures(range(7), new Error('batch failed'), h.attempt, running());
  assert.equal(h.parts, [[0, 1, 2, 3], [0, 1], [2, 3], [2], [3], [4, 5, 6], [4, 5], [4], [5], [6]]);
  assert.equal(r.outputs, ['out-0', 'out-1', 'out-3', 'out-4', 'out-6']);
  assert.equal(r.failures.map((f) => f.items), [[2], [5]]);
});

test('scattered poison records are each isolated; every good record still produces', async () => {
  const bad = new Set([3, 4, 5, 17, 64, 65, 300, 999]);
  const h = handler((i) => bad.has(i));
  const r = await isolateFailures(range(1000), new Error('batch failed'), h.attempt, running());
  assert.equal(r.failures.map((f) => f.items[0]), [...bad]);
  assert.ok(r.failures.every((f) => f.isolated && f.items.length === 1));
  assert.equal(r.outputs, range(1000).filter((i) => !bad.has(i)).map((i) => `out-${i}`));
});

test('everything fails (a dependency down): every record is reported once, in order, in 2 ceil(log2 n) + 4 calls at most', async () => {
  for (const n of [2, 3, 5, 8, 100, 1000, 2049]) {
    const h = handler(() => true);
    const r = await isolateFailures(range(n), new Error('batch failed'), h.attempt, running());
    assert.equal(r.failures.flatMap((f) => f.items), range(n), `n=${n}`);
    assert.equal(r.outputs, []);
    assert.ok(r.calls <= 2 * Math.ceil(Math.log2(n)) + SYSTEMIC_AFTER_FAILED_RECORDS, `n=${n}: ${r.calls} calls`);
    const isolated = r.failures.filter((f) => f.isolated).length;
    assert.ok(isolated >= Math.min(n, SYSTEMIC_AFTER_FAILED_RECORDS) && isolated <= SYSTEMIC_AFTER_FAILED_RECORDS + 1, 'the first records are isolated, then parts go whole');
  }
  const r = await isolateFailures(range(1000), new Error('batch failed'), handler(() => true).attempt, running());
  assert.is(r.calls, 22, 'instead of 1998 for a full bisection');
});

test('a dependency that comes back mid-batch: the parts handled after it returns produce', async () => {
  let calls = 0;
  const attempt = async (part: readonly number[]) => {
    if (++calls <= 14) throw new Error('dependency down');
    return part.map((i) => `out-${i}`);
  };
  const r = await isolateFailures(range(1000), new Error('batch failed'), attempt, running());
  const lost = r.failures.flatMap((f) => f.items);
  const handled = r.outputs.map((o) => Number(o.slice(4)));
  assert.equal([...lost, ...handled].sort((a, b) => a - b), range(1000), 'each record either failed or produced, once');
  assert.ok(handled.includes(999) && handled.length >= 500, `the second half produced (${handled.length} records)`);
});

test('systemic: after 4 failed records in a row a failing part goes whole; a success resets that', async () => {
  // Records 0-3 poison, 4-7 good, then 8, 9 poison among good: after the run at the head, [4..7] is tried whole and
  // succeeds, so the later failures are isolated again.
  const bad = new Set([0, 1, 2, 3, 8, 9]);
  const h = handler((i) => bad.has(i));
  const r = await isolateFailures(range(16), new Error('batch failed'), h.attempt, running());
  assert.equal(r.failures.map((f) => [f.items, f.isolated]), [[[0], true], [[1], true], [[2], true], [[3], true], [[8], true], [[9], true]]);
  // Five poison records in a row: the fifth's part is not split, so its good neighbours fail with it.
  const run = new Set([0, 1, 2, 3, 4]);
  const r2 = await isolateFailures(range(16), new Error('batch failed'), handler((i) => run.has(i)).attempt, running());
  assert.equal(r2.failures.map((f) => [f.items, f.isolated]), [[[0], true], [[1], true], [[2], true], [[3], true], [[4, 5, 6, 7], false]]);
  assert.equal(r2.outputs, range(8).map((i) => `out-${i + 8}`));
});

test('a batch of one record is isolated already: no more calls', async () => {
  const h = handler(() => true);
  const r = await isolateFailures(['x'], new Error('batch failed'), async (p) => { h.parts.push([]); throw new Error(String(p)); }, running());
  assert.equal(r.failures.map((f) => [f.items, f.error.message, f.isolated]), [[['x'], 'batch failed', true]]);
  assert.is(r.calls, 0);
});

test('a stop during isolation throws: the batch stays with the bus', async () => {
  const stop = new AbortController();
  let calls = 0;
  const attempt = async () => { if (++calls === 3) stop.abort(); throw new Error('down'); };
  try {
    await isolateFailures(range(100), new Error('batch failed'), attempt, stop.signal);
    assert.unreachable('it throws');
  } catch (err) {
    assert.is((err as Error).message, 'down');
  }
  assert.is(calls, 3);
});

test('processor_retry in the pipeline file: defaults 8 attempts from 250ms to 10s (about 26 s), bounded, durations parsed', () => {
  const registry = createRegistry([{
    kind: 'collector', type: 'none', stability: 'development', description: '', configSchema: Type.Object({}),
    create: () => ({ start: async () => {}, stop: async () => {} }),
  }]);
  const load = (text: string) => loadPipelineConfig('p.yaml', registry, { text, env: {} }).processorRetry;
  const defaults = load('node: n\n')!;
  assert.equal(defaults, { maxAttempts: 8, backoffMs: 250, maxBackoffMs: 10_000 });
  assert.equal(retryWaitsMs(defaults), [250, 500, 1000, 2000, 4000, 8000, 10_000]);
  assert.equal(load('processor_retry: { max_attempts: 2, backoff: 1s, max_backoff: 1m }\n'), { maxAttempts: 2, backoffMs: 1000, maxBackoffMs: 60_000 });
  assert.throws(() => load('processor_retry: { max_attempts: 0 }\n'), /processor_retry\.max_attempts/);
  assert.throws(() => load('processor_retry: { max_attempts: 21 }\n'), /processor_retry\.max_attempts: expected integer in 1\.\.20/);
  assert.throws(() => load('node: n\nprocessor_retry: { max_attempts: 14, max_backoff: 5m }\n'), /p\.yaml:2:18: processor_retry: its waits add up to 1112s, more than 10m/);
});

test.run();
