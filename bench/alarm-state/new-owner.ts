// A new owner of every input partition restoring from the topics, in a process of its own: what a correlator
// that starts (or gains the partitions) holds and spends, without the bench's raised engine beside it.
//   node --expose-gc --conditions=@faultline/source --import tsx bench/alarm-state/new-owner.ts <broker>
// Prints one JSON line: restored count, wall and CPU seconds, heap and RSS MiB after the restore.
import { Value } from '@sinclair/typebox/value';
import { createKafkaBus, silentLogger } from '@faultline/runtime';
import { CorrelatorConfigSchema, DurableState, Engine, loadDefinitions, type CorrelatorConfig } from '@faultline/processor-correlator';

const broker = process.argv[2]!;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const { catalog } = loadDefinitions(Value.Default(CorrelatorConfigSchema, {}) as CorrelatorConfig);
const bus = createKafkaBus({ brokers: [broker], client_id: 'bench-new-owner', spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } } as never, { log: silentLogger });
const engine = new Engine({ catalog, id_seed: 'restored' });
const durable = new DurableState(() => engine, silentLogger);
gc();
const heap0 = process.memoryUsage().heapUsed;
const c0 = process.cpuUsage();
const t0 = performance.now();
await durable.assign([0, 1, 2, 3, 4, 5].map((partition) => ({ topic: 'faults', partition })), (topic, opts) => bus.readAll(topic, opts));
const wall = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
gc();
const m = process.memoryUsage();
await bus.stop();
console.log(JSON.stringify({
  restored: engine.activeCount, wall_s: wall, cpu_s: (c.user + c.system) / 1e6,
  heap_mib: (m.heapUsed - heap0) / 2 ** 20, rss_mib: m.rss / 2 ** 20,
}));
