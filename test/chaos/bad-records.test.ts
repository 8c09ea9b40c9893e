// 100,000 malformed, schema-violating, wrong-version, unknown-schema and oversized records into the
// correlator's input topics while a good fault load flows, on a private broker with a real correlator
// process: every bad record is dead-lettered once with its reason, every good transition arrives once,
// and the process never falls over. FAULTLINE_CHAOS_BAD_RECORDS sets the count.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TOPICS, decode, type DeadLetterReason } from '@faultline/schemas';
import type { OutboundRecord } from '@faultline/runtime';
import { waitFor } from '../support/index.js';
import { TOKEN, compare, expected, faultRounds, freePort, sendRounds, settledTransitions } from '../support/alarm-service.js';
import { PipelineProcess, chaosCount, correlatorYaml, makeDir, printFigures, privateKafka } from '../support/chaos.js';

const BAD = chaosCount('FAULTLINE_CHAOS_BAD_RECORDS', 100_000);
const OVERSIZED = 5; // 1.5 MiB each, past the consumers' 1 MiB limit; the faults topic is widened to carry them
const kafka = await privateKafka((t) => (t.name === 'faults' ? { ...t, config: { ...t.config, 'max.message.bytes': String(4 << 20) } } : t));
const dir = makeDir('bad');
const prefix = `b${randomBytes(3).toString('hex')}`;
const api = await freePort();
const correlator = new PipelineProcess('correlator', dir, 'processor', 'correlator', correlatorYaml('chaos-bad', dir, kafka.brokers, api, TOKEN));

test.after(async () => {
  await correlator.stop().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

const INPUTS = [['metrics', 'metric_batch'], ['faults', 'fault_event'], ['heartbeats', 'heartbeat']] as const;

/** The i-th bad record and the reason the pipeline must give it. */
function badRecord(i: number): [OutboundRecord, DeadLetterReason] {
  const [topic, schema] = INPUTS[i % INPUTS.length]!;
  const key = `${prefix}-bad${i % 64}`;
  const headers = { 'fl-schema': schema, 'fl-version': '1.0' };
  switch (i % 4) {
    case 0: return [{ topic, key, value: Buffer.from(`{"truncated": ${i}`), headers }, 'malformed'];
    case 1: return [{ topic, key, value: Buffer.from(JSON.stringify({ op: 'set', n: i })), headers }, 'schema_violation'];
    case 2: return [{ topic, key, value: Buffer.from(JSON.stringify({ n: i })), headers: { ...headers, 'fl-version': '99.0' } }, 'unknown_version'];
    default: return [{ topic, key, value: Buffer.from(JSON.stringify({ n: i })), headers: { ...headers, 'fl-schema': 'no_such_schema' } }, 'unknown_schema'];
  }
}

test('every bad record is dead-lettered once with its reason; good transitions arrive once; no crash', async () => {
  correlator.start();
  await waitFor('the correlator ready', async () => ((await fetch(`http://127.0.0.1:${api}/readyz`)).ok ? true : undefined), 90_000, 200);

  const want = new Map<DeadLetterReason, number>();
  const seenLetters = new Map<string, number>(); // source topic/partition/offset → times dead-lettered
  const byReason = new Map<string, number>();
  const watcher = await kafka.bus.subscribe({
    group: `chaos-deadletter-${prefix}`, topics: ['deadletter'],
    onBatch: async (records) => {
      for (const r of records) {
        const d = decode(TOPICS.deadletter.schema, r.headers, r.value);
        if (!d.ok) throw new Error(`a dead letter that does not decode: ${d.detail}`);
        const at = `${d.value.source.topic}/${d.value.source.partition}/${d.value.source.offset}`;
        seenLetters.set(at, (seenLetters.get(at) ?? 0) + 1);
        byReason.set(d.value.reason, (byReason.get(d.value.reason) ?? 0) + 1);
      }
    },
  });

  const rounds = faultRounds(prefix, 20, 10, 5);
  const good = expected(rounds);
  const goodLoad = sendRounds(kafka.bus, rounds, 200);
  const producer = kafka.bus.producer();
  for (let from = 0; from < BAD; from += 2000) {
    const chunk: OutboundRecord[] = [];
    for (let i = from; i < Math.min(BAD, from + 2000); i++) {
      const [r, reason] = badRecord(i);
      chunk.push(r);
      want.set(reason, (want.get(reason) ?? 0) + 1);
    }
    await producer.send(chunk);
  }
  for (let i = 0; i < OVERSIZED; i++) {
    await producer.send([{ topic: 'faults', key: `${prefix}-big${i}`, value: Buffer.alloc(1536 * 1024, 0x41), headers: { 'fl-schema': 'fault_event', 'fl-version': '1.0' } }]);
  }
  want.set('oversized', OVERSIZED);
  await producer.close();
  await goodLoad;
  const total = BAD + OVERSIZED;

  await waitFor(`${total} dead letters`, () => (seenLetters.size >= total ? true : undefined), 120_000, 250);
  const transitions = await settledTransitions(kafka.bus, prefix, good.transitions.length, 60_000, 1_000);
  await new Promise((r) => setTimeout(r, 1_000)); // a duplicate dead letter would show up by now
  await watcher.stop();

  const f = compare(good.transitions, transitions);
  const duplicatedLetters = [...seenLetters.values()].reduce((n, c) => n + c - 1, 0);
  printFigures('bad-records', {
    sent: total + rounds.flat().length, delivered: transitions.length, lost: f.lost + Math.max(0, total - seenLetters.size),
    duplicated: f.duplicated + duplicatedLetters, deadLettered: seenLetters.size, crashes: correlator.crashes,
  }, `bad ${total} (${[...want].map(([r, n]) => `${r} ${n}`).join(', ')}), good fault events ${rounds.flat().length} → transitions expected ${good.transitions.length} (delivered counts transitions)`);

  assert.equal(Object.fromEntries(byReason), Object.fromEntries(want), 'each bad record dead-lettered with its own reason');
  assert.is(seenLetters.size, total, 'every bad record dead-lettered');
  assert.is(duplicatedLetters, 0, 'no record dead-lettered twice');
  assert.equal(f.problems, [], 'good transitions: none lost, duplicated or unexpected');
  assert.is(correlator.crashes, 0, 'the correlator never exited');
  assert.ok(correlator.running, 'the correlator is still running');
});

test.run();
