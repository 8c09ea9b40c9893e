import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerRecord } from './records.js';

export const LEDGER_FILE = 'ledger.jsonl';

/** Reads every complete line; a torn last line (the process died mid-write) is ignored. */
export function readLedger(dir: string): LedgerRecord[] {
  const file = join(dir, LEDGER_FILE);
  if (!existsSync(file)) return [];
  const out: LedgerRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try { out.push(JSON.parse(line) as LedgerRecord); } catch { /* torn write at the end */ }
  }
  return out;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

export interface Ledger {
  /** Appends a record; with `durable`, returns only once it (and everything before it) is on disk. */
  append(record: LedgerRecord, durable?: boolean): void;
  /** Everything appended so far is on disk when it returns (group commit). */
  sync(): void;
  close(): void;
}

/**
 * An append-only JSON-lines file. Writes are synchronous so a record is in the file before the caller
 * goes on; claims are fsynced before their action starts, which is what makes "at most once" survive
 * kill -9 and power loss. `keep` rewrites the file at open (compaction), atomically by rename.
 */
export function openLedger(dir: string, keep?: (r: LedgerRecord) => boolean): { ledger: Ledger; records: LedgerRecord[] } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LEDGER_FILE);
  let records = readLedger(dir);
  if (keep) {
    records = records.filter(keep);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      const text = records.map((r) => JSON.stringify(r) + '\n').join('');
      if (text) writeSync(fd, text);
      fsyncSync(fd);
    } finally { closeSync(fd); }
    renameSync(tmp, file);
    fsyncDir(dir);
  }
  let fd: number | undefined = openSync(file, 'a');
  return {
    records,
    ledger: {
      append(record, durable = false) {
        if (fd === undefined) throw new Error('the remediation ledger is closed');
        writeSync(fd, JSON.stringify(record) + '\n');
        if (durable) fsyncSync(fd);
      },
      sync() {
        if (fd !== undefined) fsyncSync(fd);
      },
      close() {
        if (fd === undefined) return;
        fsyncSync(fd);
        closeSync(fd);
        fd = undefined;
      },
    },
  };
}
