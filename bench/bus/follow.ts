// Bus.follow catching up on a topic of N records (default 200 000; --full: 1 M, the issue's restore target, ~2 min): wall and process CPU time from follow() to
// caughtUp, for the follower as it is (raw Fetch catch-up, kafka-read.ts) and as it was before (the group consumer's
// message stream in manual mode), measured in the same run on the same topic, with readAll (the same raw reader,
// no follower around it) as the floor. The previous follower is taken from git (PREVIOUS below) into a file next to
// this one for the run and removed after it. Its caughtUp needed no quiet second here: the records are written by
// the bus's idempotent (not transactional) producer, so every partition ends with a record (a transactional one
// would have cost it ≥ 1 s more). Writes bench/results/bus-follow.json.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/bus/follow.ts [--records N | --full] [--size BYTES]
// The shared dev broker must run (deploy/dev/svc kafka start). 2 cores shared with other engineers: wall times move
// with their load (printed); compare the ratios of one run.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { createKafkaBus, silentLogger, type BusRecord, type Follower, type FollowOptions, type KafkaConfig, type OutboundRecord } from '@faultline/runtime';

const { values: args } = parseArgs({ options: { records: { type: 'string' }, full: { type: 'boolean', default: false }, size: { type: 'string', default: '150' }, broker: { type: 'string', default: '127.0.0.1:19092' } } });
const N = Number(args.records ?? (args.full ? 1_000_000 : 200_000));
const SIZE = Number(args.size);
const ROOT = resolve(import.meta.dirname, '../..');
/** The last commit with the stream-only follower. */
const PREVIOUS = '6d24878456a5149a14be9b42f3d635ea77b218e8';
const run = promisify(execFile);
const r2 = (x: number) => Math.round(x * 100) / 100;
const load = () => loadavg()[0]!.toFixed(1);
const config: KafkaConfig = {
  brokers: [args.broker!], client_id: 'bench-follow', compression: 'lz4', linger_ms: 20, batch_max_records: 5000,
  spool: { max_bytes: 1 << 20, clear_after_ms: 1000 },
};

type FollowFn = (config: KafkaConfig, opts: FollowOptions, log: typeof silentLogger) => Promise<Pick<Follower, 'caughtUp' | 'stop'>>;

/** Wall and process CPU seconds from follow() to caughtUp; the records handed over are counted, as a view would touch them. */
async function catchUp(follow: FollowFn, topic: string) {
  let n = 0;
  let bytes = 0;
  const onRecords = (rs: readonly BusRecord[]) => { n += rs.length; for (const r of rs) bytes += r.value?.length ?? 0; };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const f = await follow(config, { topics: [topic], onRecords }, silentLogger);
  await f.caughtUp;
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  await f.stop();
  return { records: n, bytes, wall, cpu: (c.user + c.system) / 1e6 };
}
const fmt = (t: { wall: number; cpu: number; records: number }) =>
  `${t.records.toLocaleString()} records in ${t.wall.toFixed(2)} s wall (${Math.round(t.records / t.wall).toLocaleString()} /s), ${t.cpu.toFixed(2)} s CPU`;

await run(resolve(ROOT, 'deploy/dev/svc'), ['kafka', 'start'], { cwd: ROOT, timeout: 180_000 });
const previousFile = resolve(import.meta.dirname, `.previous-follow-${randomUUID().slice(0, 8)}.ts`);
const source = (await run('git', ['show', `${PREVIOUS}:runtime/core/src/bus/kafka-follow.ts`], { cwd: ROOT })).stdout;
writeFileSync(previousFile, source.replace(/from '\.\.?\/([^']+)'/g, (_, p: string) => `from '${resolve(ROOT, 'runtime/core/src/bus', p.startsWith('log') ? `../${p}` : p)}'`));
const bus = createKafkaBus(config);
const topic = `bench-follow-${randomUUID().slice(0, 8)}`;
const admin = new Admin({ clientId: 'bench-follow', bootstrapBrokers: config.brokers });
try {
  const { followKafka: previous } = (await import(previousFile)) as { followKafka: FollowFn };
  const { followKafka: current } = (await import(resolve(ROOT, 'runtime/core/src/bus/kafka-follow.ts'))) as { followKafka: FollowFn };
  await bus.ensureTopics([{ name: topic, partitions: 3 }]);
  const producer = bus.producer();
  const w0 = performance.now();
  for (let i = 0; i < N; i += 20_000) {
    const batch: OutboundRecord[] = [];
    for (let j = i; j < Math.min(N, i + 20_000); j++) batch.push({ topic, key: `host=h${j % 5000}.port=eth${j}`, value: Buffer.alloc(SIZE, j % 251), headers: { 'fl-schema': 'bench', 'fl-version': '1.0' } });
    await producer.send(batch);
  }
  await producer.close();
  console.log(`follow catch-up: ${N.toLocaleString()} records of ${SIZE} B on 3 partitions, written in ${((performance.now() - w0) / 1000).toFixed(1)} s (shared 2-core machine, load ${load()})`);

  const before = await catchUp(previous, topic);
  console.log(`  before, message stream (${PREVIOUS.slice(0, 7)}): ${fmt(before)}  (load ${load()})`);
  const after = await catchUp(current, topic);
  console.log(`  after, raw Fetch catch-up:         ${fmt(after)}  (load ${load()})`);
  const r0 = process.cpuUsage();
  const t0 = performance.now();
  let floorN = 0;
  for await (const r of bus.readAll(topic)) if (r.value) floorN++;
  const rc = process.cpuUsage(r0);
  const floor = { records: floorN, wall: (performance.now() - t0) / 1000, cpu: (rc.user + rc.system) / 1e6 };
  console.log(`  floor, readAll of the same topic:  ${fmt(floor)}`);
  const ok = before.records === N && after.records === N && floorN === N;
  console.log(`  before/after: ${(before.wall / after.wall).toFixed(1)}x wall, ${(before.cpu / after.cpu).toFixed(1)}x CPU; after/readAll ${(after.wall / floor.wall).toFixed(2)}x wall${ok ? '' : '  <-- COUNT MISMATCH'}`);
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/results/bus-follow.json'), JSON.stringify({
    when: new Date().toISOString(), records: N, value_bytes: SIZE, partitions: 3, previous: PREVIOUS, load: load(),
    before_wall_s: r2(before.wall), before_cpu_s: r2(before.cpu), after_wall_s: r2(after.wall), after_cpu_s: r2(after.cpu),
    read_all_wall_s: r2(floor.wall), read_all_cpu_s: r2(floor.cpu), counts_ok: ok,
  }, null, 2) + '\n');
} finally {
  rmSync(previousFile, { force: true });
  await bus.stop();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.close();
}
