// Helpers for the SNMP integration tests: the real snmptrapd's log, the MIB search path, the dev credentials.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Alarm, AlarmTransition, SingleAlarmTransition } from '@faultline/schemas';
import type { Envelope } from '@faultline/runtime';
import { ROOT, SERVICES, waitFor } from './index.js';

export const run = promisify(execFile);

/** The dev snmptrapd's users and community (deploy/dev/lib.sh defaults, overridable like there). */
export const DEV_SNMP = {
  community: process.env.FAULTLINE_SNMP_COMMUNITY ?? 'faultline',
  sha1User: process.env.FAULTLINE_SNMP_V3_USER ?? 'faultline-v3',
  sha256User: process.env.FAULTLINE_SNMP_V3_SHA256_USER ?? 'faultline-v3-sha256',
  authKey: process.env.FAULTLINE_SNMP_AUTH_PASS ?? 'faultline-auth',
  privKey: process.env.FAULTLINE_SNMP_PRIV_PASS ?? 'faultline-priv',
  /** The sender engine id snmptrapd pins its v3 trap users to. */
  engineId: process.env.FAULTLINE_SNMP_ENGINE_ID ?? '0x80001f88046661756c746c696e65',
};

export const MIB_DIR = resolve(ROOT, 'deploy/snmp');

/**
 * A temp dir with the SNMPv2 base MIBs that the npm package net-snmp ships (lib/mibs/*.mib), renamed
 * without the suffix so libsmi finds them by module name. Debian ships no IETF MIBs.
 */
export function baseMibDir(): string {
  const req = createRequire(resolve(ROOT, 'sinks/snmp/package.json'));
  const src = join(dirname(req.resolve('net-snmp/package.json')), 'lib/mibs');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-mibs-'));
  for (const f of readdirSync(src)) if (f.endsWith('.mib')) copyFileSync(join(src, f), join(dir, f.slice(0, -4)));
  return dir;
}

/** Environment for net-snmp's command-line tools: no MIB noise, nothing written to /var/lib/snmp. */
export function snmpToolsEnv(mibDirs?: string[], mibs = ''): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MIBS: mibs, MIBDIRS: mibDirs ? mibDirs.join(':') : '/nonexistent',
    SNMP_PERSISTENT_DIR: mkdtempSync(join(tmpdir(), 'faultline-snmp-persist-')),
  };
}

export interface TrapEntry {
  header: string;
  /** snmpTrapOID.0's value, without the leading dot. */
  trapOid: string;
  varbinds: { oid: string; type: string; value: string }[];
}

const SNMP_TRAP_OID = '.1.3.6.1.6.3.1.1.4.1.0';

/** Parses snmptrapd's `-Lf` log as the dev config writes it: a header line, then the varbinds tab-separated. */
export function parseTrapLog(text: string): TrapEntry[] {
  const lines = text.split('\n');
  const out: TrapEntry[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*\[UDP: /.test(lines[i]!)) continue;
    const varbinds = lines[i + 1]!.split('\t').filter(Boolean).map((vb) => {
      const m = /^(\S+) = ([A-Za-z0-9-]+): ?(.*)$/.exec(vb);
      return m ? { oid: m[1]!, type: m[2]!, value: m[3]! } : { oid: vb, type: '', value: '' };
    });
    const trapOid = varbinds.find((v) => v.oid === SNMP_TRAP_OID)?.value.replace(/^\./, '') ?? '';
    out.push({ header: lines[i]!, trapOid, varbinds });
  }
  return out;
}

/** Reads what snmptrapd logged from now on. */
export function trapLogFromHere() {
  const file = SERVICES.snmptrapd.log;
  const start = statSync(file).size;
  const read = () => parseTrapLog(readFileSync(file).subarray(start).toString('utf8'));
  return {
    read,
    /** Waits for the entries that mention `marker`, until `count` of them are there. */
    waitFor: (marker: string, count = 1, timeoutMs = 15_000) =>
      waitFor(`${count} notification(s) with ${marker} in snmptrapd's log`, () => {
        const hits = read().filter((e) => e.varbinds.some((v) => v.value.includes(marker)));
        return hits.length >= count ? hits : undefined;
      }, timeoutMs, 50),
  };
}

/** A UDP port nobody listens on right now (net-snmp's agent treats port 0 as 161). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: `host=itest-${randomUUID().slice(0, 8)}`,
    severity: 'major', reason_text: 'CPU usage 93% above 90%', alarm_type: 'operational-violation',
    probable_cause: 'threshold-crossed', proposed_repair_action: 'Reduce the load or add capacity',
    service_affecting: false, suppression_allowed: true, state: 'active', raised_at: Date.now(), updated_at: Date.now(),
    inhibited: false, suppressed: false, silenced_by: [], flapping: false, source: 'threshold', labels: {}, ...over,
  };
}

let seq = 0;
export const transition = (kind: SingleAlarmTransition['kind'], a: Alarm): SingleAlarmTransition =>
  ({ uuid: randomUUID(), at: Date.now(), kind, seq: ++seq, alarm: a });

export const clearAll = (entity: string, cleared: Alarm[]): AlarmTransition =>
  ({ uuid: randomUUID(), at: Date.now(), kind: 'cleared_all', entity_instance_id: entity, cleared: cleared.map((a) => ({ seq: ++seq, alarm: a })) });

/** Wraps transitions as the runtime hands them to a sink from the `alarms` topic. */
export const envelopes = (ts: AlarmTransition[]): Envelope[] =>
  ts.map((value, i) => ({ topic: 'alarms', key: null, value, partition: 0, offset: String(i), timestamp: Date.now() }) as Envelope);
