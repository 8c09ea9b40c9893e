import type { Bus, BusRecord, ConsumeOptions, OutboundRecord, Producer, Subscription, TopicSpec } from './types.js';

/**
 * The single-node bus (StarlingX "simplex"): every topic is one in-process log with one partition,
 * and consumer groups keep their own offsets. A consume-transform-produce step appends its output
 * and moves its offset in one synchronous step, so nothing is seen half-done.
 */
export function createEmbeddedBus(): Bus {
  const logs = new Map<string, BusRecord[]>();
  const offsets = new Map<string, number>(); // `${group}\0${topic}` -> next offset
  const waiters = new Set<() => void>();
  const wake = () => { for (const w of [...waiters]) w(); };
  const logOf = (topic: string) => {
    let log = logs.get(topic);
    if (!log) logs.set(topic, (log = []));
    return log;
  };

  const append = (records: readonly OutboundRecord[]) => {
    const now = Date.now();
    for (const r of records) {
      const log = logOf(r.topic);
      log.push({ topic: r.topic, partition: 0, offset: String(log.length), key: r.key, value: r.value, headers: r.headers ?? {}, timestamp: now });
    }
    if (records.length) wake();
  };

  const producer = (): Producer => ({ send: async (records) => append(records), close: async () => {} });

  async function subscribe(opts: ConsumeOptions): Promise<Subscription> {
    let running = true;
    let paused = false;
    const maxBatch = 1000;
    await opts.onAssign?.(opts.topics.map((topic) => ({ topic, partition: 0 })));
    const loop = (async () => {
      while (running) {
        let worked = false;
        for (const topic of opts.topics) {
          if (!running || paused) break;
          const slot = `${opts.group}\0${topic}`;
          const log = logOf(topic);
          const from = offsets.get(slot) ?? (opts.from === 'latest' ? log.length : 0);
          if (from >= log.length) continue;
          const batch = log.slice(from, from + maxBatch);
          try {
            const out = await opts.onBatch(batch);
            append(out ?? []);
            offsets.set(slot, from + batch.length);
            worked = true;
          } catch {
            await new Promise((r) => setTimeout(r, 100)); // redelivered on the next pass
          }
        }
        if (!worked && running) await new Promise<void>((resolve) => {
          const w = () => { waiters.delete(w); resolve(); };
          waiters.add(w);
          setTimeout(w, 200).unref();
        });
      }
      await opts.onRevoke?.(opts.topics.map((topic) => ({ topic, partition: 0 })));
    })();
    return {
      pause: () => { paused = true; },
      resume: () => { paused = false; wake(); },
      stop: async () => { running = false; wake(); await loop; },
    };
  }

  return {
    kind: 'embedded',
    start: async () => {},
    ensureTopics: async (topics: readonly TopicSpec[]) => { for (const t of topics) logOf(t.name); },
    producer,
    subscribe,
    async *readAll(topic: string) { yield* [...logOf(topic)]; },
    stop: async () => { wake(); },
  };
}
