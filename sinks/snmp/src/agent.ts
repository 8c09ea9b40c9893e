import type { Socket } from 'node:dgram';
import * as snmp from 'net-snmp';
import type { Logger } from '@faultline/runtime';
import type { AgentConfig } from './config.js';
import { usmUser } from './destination.js';
import { alarmEvent, eventColumns } from './encode.js';
import { ACTIVE_COLUMNS, EVENT_COLUMNS, type AlarmMibOids } from './oids.js';
import type { AlarmTables, TableChanges } from './tables.js';

// Serves fltAlarmActiveTable, fltEventTable and the two read-only scalars with net-snmp's Agent.
// The tables' contents come from AlarmTables; this file only mirrors its changes into net-snmp's MIB tree.

const { OctetString, Integer, Gauge } = snmp.ObjectType;
const RO = snmp.MaxAccess['read-only'];
const NA = snmp.MaxAccess['not-accessible'];

const ACTIVE = 'fltAlarmActiveEntry';
const EVENTS = 'fltEventEntry';
const ACTIVE_COUNT = 'fltAlarmActiveCount';
const EVENT_LAST = 'fltEventLastIndex';

/** [column name, type] in column-number order, for each table. */
const ACTIVE_DEFS: [keyof typeof ACTIVE_COLUMNS, snmp.ObjectType][] = [
  ['index', Gauge], ['uuid', OctetString], ['alarmId', OctetString], ['entityInstanceId', OctetString],
  ['dateAndTime', OctetString], ['severity', Integer], ['reasonText', OctetString], ['eventType', Integer],
  ['probableCause', Integer], ['proposedRepairAction', OctetString], ['serviceAffecting', Integer],
  ['suppressionAllowed', Integer],
];
const EVENT_DEFS: [keyof typeof EVENT_COLUMNS, snmp.ObjectType][] = [
  ['index', Gauge], ['alarmUuid', OctetString], ['alarmId', OctetString], ['state', Integer],
  ['entityInstanceId', OctetString], ['dateAndTime', OctetString], ['severity', Integer], ['reasonText', OctetString],
  ['eventType', Integer], ['probableCause', Integer], ['proposedRepairAction', OctetString],
  ['serviceAffecting', Integer], ['suppressionAllowed', Integer],
];

const tableProvider = (name: string, oid: string, defs: [string, snmp.ObjectType][], numbers: Record<string, number>) => ({
  name, type: snmp.MibProviderType.Table, oid, maxAccess: NA,
  tableColumns: defs.map(([col, type]) => ({ number: numbers[col]!, name: `${name}.${col}`, type, maxAccess: col === 'index' ? NA : RO })),
  tableIndex: [{ columnName: `${name}.index` }],
});

export interface AlarmAgent {
  apply(changes: TableChanges): void;
  close(): Promise<void>;
}

/** Starts listening (I/O): call from start(). Rows already in `tables` are served at once. */
export async function startAgent(cfg: AgentConfig, oids: AlarmMibOids, tables: AlarmTables, log: Logger): Promise<AlarmAgent> {
  const options: Record<string, unknown> = { port: cfg.port, address: cfg.address, transport: 'udp4', disableAuthorization: false };
  if (cfg.engine_id) options.engineID = cfg.engine_id;
  const agent = snmp.createAgent(options, (err: Error | null) => {
    // Requests the agent refused (unknown community or user, bad keys): a manager's problem, not ours.
    if (err) log.debug('snmp agent refused a request', { error: err.message });
  });
  // net-snmp binds in the background: wait for the socket, so a port in use fails start().
  const sockets = Object.values(agent.listener.sockets as Record<string, Socket>);
  try {
    await Promise.all(sockets.map((s) => new Promise<void>((ok, fail) => { s.once('listening', ok); s.once('error', fail); })));
  } catch (err) {
    await new Promise<void>((r) => agent.close(() => r()));
    throw new Error(`snmp agent cannot listen on udp ${cfg.address}:${cfg.port}: ${(err as Error).message}`);
  }
  const auth = agent.getAuthorizer();
  for (const c of cfg.communities) auth.addCommunity(c);
  for (const u of cfg.users) auth.addUser(usmUser(u));

  const mib = agent.getMib();
  mib.registerProvider(tableProvider(ACTIVE, oids.activeEntry, ACTIVE_DEFS, ACTIVE_COLUMNS));
  mib.registerProvider(tableProvider(EVENTS, oids.eventEntry, EVENT_DEFS, EVENT_COLUMNS));
  mib.registerProvider({ name: ACTIVE_COUNT, type: snmp.MibProviderType.Scalar, oid: oids.scalar('activeCount'), scalarType: Gauge, maxAccess: RO });
  mib.registerProvider({ name: EVENT_LAST, type: snmp.MibProviderType.Scalar, oid: oids.scalar('eventLastIndex'), scalarType: Gauge, maxAccess: RO });

  const activeIn = new Set<number>();
  const eventsIn = new Set<number>();
  const upsertActive = (index: number, row: unknown[]) => {
    if (activeIn.has(index)) mib.deleteTableRow(ACTIVE, [index]);
    mib.addTableRow(ACTIVE, row);
    activeIn.add(index);
  };
  const remove = (table: string, set: Set<number>, index: number) => {
    if (!set.delete(index)) return;
    mib.deleteTableRow(table, [index]);
  };
  const scalars = () => {
    mib.setScalarValue(ACTIVE_COUNT, tables.activeCount());
    mib.setScalarValue(EVENT_LAST, tables.lastEventIndex());
  };

  const api: AlarmAgent = {
    apply(ch) {
      for (const i of ch.removed) remove(ACTIVE, activeIn, i);
      for (const r of ch.upserts) {
        const c = eventColumns(alarmEvent(r.alarm, r.alarm.updated_at, r.alarm.uuid, r.alarm.severity, 'set'));
        upsertActive(r.index, [
          r.index, c.alarmUuid.value, c.alarmId.value, c.entityInstanceId.value, c.dateAndTime.value, c.severity.value,
          c.reasonText.value, c.eventType.value, c.probableCause.value, c.proposedRepairAction.value,
          c.serviceAffecting.value, c.suppressionAllowed.value,
        ]);
      }
      for (const i of ch.evicted) remove(EVENTS, eventsIn, i);
      for (const e of ch.added) {
        const c = eventColumns(e.event);
        mib.addTableRow(EVENTS, [
          e.index, c.alarmUuid.value, c.alarmId.value, c.state.value, c.entityInstanceId.value, c.dateAndTime.value,
          c.severity.value, c.reasonText.value, c.eventType.value, c.probableCause.value, c.proposedRepairAction.value,
          c.serviceAffecting.value, c.suppressionAllowed.value,
        ]);
        eventsIn.add(e.index);
      }
      scalars();
    },
    close: () => new Promise<void>((r) => agent.close(() => r())),
  };
  api.apply({
    events: [], added: tables.eventRows(), upserts: tables.activeRows(), removed: [], evicted: [], resync: false,
  });
  return api;
}
