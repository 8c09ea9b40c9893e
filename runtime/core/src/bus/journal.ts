import {
  closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { BusRecord, TopicSpec } from './types.js';

/** [group, topic, next offset] */
export type Commit = [string, string, number];

export interface JournalStep {
  records: readonly BusRecord[];
  commits: readonly Commit[];
}

export interface JournalState {
  topics: { spec: TopicSpec; next: number; records: readonly BusRecord[] }[];
  commits: readonly Commit[];
}

export interface Replayed {
  topics: { spec: TopicSpec; next: number }[];
  records: BusRecord[];
  commits: Commit[];
}

export interface Journal {
  /** Reads the journal back; a torn last line (a crash mid-write) is cut off. */
  replay(): Replayed;
  /** One line, written before the step becomes visible: the step's commit point. */
  append(step: JournalStep): void;
  topic(spec: TopicSpec, next: number): void;
  /** Rewrites the journal from the bus's retained state once it has grown past the bound. */
  compactIfLarge(): void;
  close(): void;
}

type WireRecord = [topic: string, offset: number, key: string | null, value: string | null, headers: Record<string, string>, timestamp: number];
type Line = { t: { spec: TopicSpec; next: number } } | { r: WireRecord[]; c: Commit[] };

const FILE = 'bus.journal';
const toWire = (r: BusRecord): WireRecord =>
  [r.topic, Number(r.offset), r.key, r.value === null ? null : r.value.toString('base64'), r.headers, r.timestamp];
const fromWire = ([topic, offset, key, value, headers, timestamp]: WireRecord): BusRecord =>
  ({ topic, partition: 0, offset: String(offset), key, value: value === null ? null : Buffer.from(value, 'base64'), headers, timestamp });

/**
 * The embedded bus's journal: newline-delimited JSON, one line per step, appended with a synchronous
 * write so a step is in the file before anyone sees it. A clean stop fsyncs. Growth is bounded by
 * rewriting the file from what the bus still retains (write to a temporary file, fsync, rename).
 * JSON lines rather than a binary format: the volume of one edge node is small, and an operator can
 * read the file with `jq`.
 */
export function openJournal(dir: string, opts: { compactBytes: number; snapshot: () => JournalState }): Journal {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  let fd = openSync(path, 'a+');
  let bytes = 0;
  // After a rewrite that is itself large, wait for the file to double before rewriting again.
  let limit = opts.compactBytes;

  const write = (line: Line) => {
    const buf = Buffer.from(JSON.stringify(line) + '\n');
    writeSync(fd, buf);
    bytes += buf.length;
  };

  return {
    replay() {
      const out: Replayed = { topics: [], records: [], commits: [] };
      if (!existsSync(path)) return out;
      const text = readFileSync(path);
      let pos = 0;
      while (pos < text.length) {
        const nl = text.indexOf(10, pos);
        if (nl < 0) break; // torn last line: never acknowledged
        let line: Line;
        try {
          line = JSON.parse(text.subarray(pos, nl).toString('utf8')) as Line;
        } catch (err) {
          throw new Error(`${path}: unreadable journal line at byte ${pos}: ${(err as Error).message}`);
        }
        if ('t' in line) out.topics.push(line.t);
        else {
          for (const r of line.r) out.records.push(fromWire(r));
          out.commits.push(...line.c);
        }
        pos = nl + 1;
      }
      if (pos < text.length) ftruncateSync(fd, pos);
      bytes = pos;
      return out;
    },
    append(step) {
      write({ r: step.records.map(toWire), c: [...step.commits] });
    },
    topic(spec, next) {
      write({ t: { spec, next } });
    },
    compactIfLarge() {
      if (bytes <= limit) return;
      const state = opts.snapshot();
      const tmp = `${path}.tmp`;
      const tfd = openSync(tmp, 'w');
      let written = 0;
      const put = (line: Line) => {
        const buf = Buffer.from(JSON.stringify(line) + '\n');
        writeSync(tfd, buf);
        written += buf.length;
      };
      for (const t of state.topics) {
        put({ t: { spec: t.spec, next: t.next } });
        for (let i = 0; i < t.records.length; i += 1000) put({ r: t.records.slice(i, i + 1000).map(toWire), c: [] });
      }
      put({ r: [], c: [...state.commits] });
      fsyncSync(tfd);
      closeSync(tfd);
      renameSync(tmp, path);
      closeSync(fd);
      fd = openSync(path, 'a+');
      bytes = written;
      limit = Math.max(opts.compactBytes, 2 * written);
    },
    close() {
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}
