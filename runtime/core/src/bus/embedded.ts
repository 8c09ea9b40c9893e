import { createTelemetry, type Telemetry } from '../telemetry.js';
import { openJournal, type Journal, type JournalState } from './journal.js';
import type {
  Bus, BusRecord, ConsumeOptions, OutboundRecord, Producer, ReadAllOptions, Subscription, TopicPartition, TopicSpec,
} from './types.js';

export interface EmbeddedBusOptions {
  /** Directory of the journal. Without it nothing survives the process (tests, benchmarks). */
  dir?: string;
  /** Rewrite the journal (retention and compaction) once it grows past this. Default 64 MiB. */
  compactBytes?: number;
  /** Records a non-compacted topic keeps after a rewrite, besides what a group has not read yet. Default 100 000. */
  retainRecords?: number;
  /** Most records handed to one onBatch call. Default 1000. */
  maxBatch?: number;
  telemetry?: Telemetry;
}

interface Log {
  spec: TopicSpec;
  /** Retained records in offset order; offsets may have gaps after compaction. */
  records: BusRecord[];
  next: number;
}

interface Member {
  id: number;
  topics: readonly string[];
}

const slot = (group: string, topic: string) => `${group}\0${topic}`;

/** Index of the first record at or after `offset` (records are sorted by offset). */
function seek(records: readonly BusRecord[], offset: number): number {
  let lo = 0, hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Number(records[mid]!.offset) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The single-node bus (StarlingX "simplex"): every topic is one in-process log with one partition,
 * and consumer groups keep their own offsets. Every step is one journal line: what a producer sends,
 * and for a consumer the output of a batch together with the group's new offset, so a
 * consume-transform-produce step is either wholly in the journal or not at all. Restarting on the
 * same directory replays the journal: nothing acknowledged is lost across a clean restart.
 * As in Kafka, one partition means one member of a group reads a topic at a time; another member
 * of the same group takes over when the first stops.
 */
export function createEmbeddedBus(opts: EmbeddedBusOptions = {}): Bus {
  const telemetry = opts.telemetry ?? createTelemetry();
  const maxBatch = opts.maxBatch ?? 1000;
  const retainRecords = opts.retainRecords ?? 100_000;
  const logs = new Map<string, Log>();
  const offsets = new Map<string, number>(); // slot(group, topic) -> next offset to read
  const groups = new Map<string, Member[]>();
  const waiters = new Set<() => void>();
  const subscriptions = new Set<Subscription>();
  let journal: Journal | undefined;
  let nextMember = 1;
  let stopped = false;

  const wake = () => { for (const w of [...waiters]) w(); };
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const w = () => { waiters.delete(w); clearTimeout(t); resolve(); };
    const t = setTimeout(w, ms);
    t.unref();
    waiters.add(w);
  });

  const logOf = (topic: string): Log => {
    let log = logs.get(topic);
    if (!log) logs.set(topic, (log = { spec: { name: topic, partitions: 1 }, records: [], next: 0 }));
    return log;
  };

  /** Applies one step to memory; the journal already holds it. */
  const apply = (records: readonly BusRecord[], commits: readonly [string, string, number][]) => {
    for (const r of records) {
      const log = logOf(r.topic);
      log.records.push(r);
      log.next = Math.max(log.next, Number(r.offset) + 1);
    }
    for (const [group, topic, next] of commits) offsets.set(slot(group, topic), next);
  };

  /** Assigns offsets, journals the step, then applies it: the journal line is the commit point. */
  const step = (out: readonly OutboundRecord[], commits: readonly [string, string, number][]) => {
    if (stopped) throw new Error('the embedded bus is stopped');
    const now = Date.now();
    const next = new Map<string, number>();
    const records: BusRecord[] = out.map((r) => {
      const o = next.get(r.topic) ?? logOf(r.topic).next;
      next.set(r.topic, o + 1);
      return { topic: r.topic, partition: 0, offset: String(o), key: r.key, value: r.value, headers: r.headers ?? {}, timestamp: now };
    });
    if (!records.length && !commits.length) return;
    journal?.append({ records, commits });
    apply(records, commits);
    journal?.compactIfLarge();
    for (const r of records) telemetry.recordsProduced.inc({ topic: r.topic });
    if (records.length) wake();
  };

  const state = (): JournalState => ({
    topics: [...logs.values()].map((l) => ({ spec: l.spec, next: l.next, records: retained(l) })),
    commits: [...offsets].map(([k, next]) => {
      const [group, topic] = k.split('\0') as [string, string];
      return [group, topic, next];
    }),
  });

  /** What a rewrite keeps: the last value per key on compacted topics; else the unread tail and the newest records. */
  function retained(log: Log): BusRecord[] {
    if (log.spec.config?.['cleanup.policy']?.includes('compact')) {
      const last = new Map<string | null, BusRecord>();
      for (const r of log.records) {
        last.delete(r.key);
        last.set(r.key, r);
      }
      log.records = [...last.values()].filter((r) => r.value !== null).sort((a, b) => Number(a.offset) - Number(b.offset));
      return log.records;
    }
    let keepFrom = Math.max(0, log.next - retainRecords);
    for (const [k, next] of offsets) if (k.endsWith(`\0${log.spec.name}`)) keepFrom = Math.min(keepFrom, next);
    const kept = log.records.slice(seek(log.records, keepFrom));
    log.records = kept;
    return kept;
  }

  const members = (group: string) => {
    let m = groups.get(group);
    if (!m) groups.set(group, (m = []));
    return m;
  };
  /** With one partition per topic, the first member of the group that subscribed to a topic reads it. */
  const owned = (group: string, member: Member) =>
    member.topics.filter((t) => members(group).find((m) => m.topics.includes(t)) === member);

  async function subscribe(opts: ConsumeOptions): Promise<Subscription> {
    if (stopped) throw new Error('the embedded bus is stopped');
    const member: Member = { id: nextMember++, topics: [...opts.topics] };
    members(opts.group).push(member);
    let running = true;
    let paused = false;
    let assigned: string[] = [];
    const position = new Map<string, number>();

    const reassign = async () => {
      const now = owned(opts.group, member);
      const added = now.filter((t) => !assigned.includes(t));
      if (!added.length) return;
      for (const t of added) {
        const log = logOf(t);
        position.set(t, offsets.get(slot(opts.group, t)) ?? (opts.from === 'latest' ? log.next : 0));
      }
      await opts.onAssign?.(added.map((topic): TopicPartition => ({ topic, partition: 0 })));
      assigned = now;
    };

    const pass = async (): Promise<boolean> => {
      let worked = false;
      for (const topic of assigned) {
        if (!running || paused) break;
        const log = logOf(topic);
        const from = position.get(topic) ?? 0;
        const start = seek(log.records, from);
        if (start >= log.records.length) continue;
        const batch = log.records.slice(start, start + maxBatch);
        const next = Number(batch[batch.length - 1]!.offset) + 1;
        try {
          const out = await opts.onBatch(batch);
          step(out ?? [], [[opts.group, topic, next]]);
          position.set(topic, next);
          telemetry.recordsConsumed.inc({ group: opts.group, topic }, batch.length);
          telemetry.consumerLag.set({ group: opts.group, topic, partition: '0' }, log.next - next);
          worked = true;
        } catch {
          if (stopped) return false;
          await sleep(100); // the batch is delivered again on the next pass
        }
      }
      return worked;
    };

    await reassign();
    const loop = (async () => {
      while (running) {
        await reassign();
        const worked = paused ? false : await pass();
        if (!worked && running) await sleep(200);
      }
      const list = members(opts.group);
      list.splice(list.indexOf(member), 1);
      if (assigned.length) await opts.onRevoke?.(assigned.map((topic) => ({ topic, partition: 0 })));
      wake(); // another member of the group may own these topics now
    })();

    let stopping: Promise<void> | undefined;
    const sub: Subscription = {
      pause: () => { paused = true; },
      resume: () => { paused = false; wake(); },
      stop: () => (stopping ??= (async () => {
        running = false;
        wake();
        await loop;
        subscriptions.delete(sub);
      })()),
    };
    subscriptions.add(sub);
    return sub;
  }

  const producer = (): Producer => ({
    send: async (records) => step(records, []),
    close: async () => {},
  });

  return {
    kind: 'embedded',
    telemetry,
    start: async () => {
      if (!opts.dir || journal) return;
      journal = openJournal(opts.dir, { compactBytes: opts.compactBytes ?? 64 * 1024 * 1024, snapshot: state });
      const restored = journal.replay();
      for (const t of restored.topics) {
        const log = logOf(t.spec.name);
        log.spec = t.spec;
        log.next = Math.max(log.next, t.next);
      }
      apply(restored.records, restored.commits);
      journal.compactIfLarge();
    },
    ensureTopics: async (topics: readonly TopicSpec[]) => {
      for (const t of topics) {
        const log = logs.get(t.name);
        if (log && (log.spec.config || !t.config)) continue; // existing topics are left as they are
        logOf(t.name).spec = { name: t.name, partitions: 1, ...(t.config ? { config: t.config } : {}) };
        journal?.topic(logOf(t.name).spec, logOf(t.name).next);
      }
    },
    producer,
    subscribe,
    async *readAll(topic: string, ropts: ReadAllOptions = {}) {
      if (ropts.partitions && !ropts.partitions.includes(0)) return;
      const records = logOf(topic).records;
      yield* records.slice(seek(records, ropts.from?.get(0) ?? 0));
    },
    stop: async () => {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      stopped = true;
      wake();
      journal?.close();
      journal = undefined;
    },
  };
}
