import { Command, Option } from 'commander';
import { SEVERITIES, type ActiveAlarm } from '@faultline/schemas';
import { client, printJson, printTable, time, withApi, type ApiOptions } from './api-options.js';

const flags = (a: ActiveAlarm['alarm']) =>
  [a.inhibited && 'inhibited', a.suppressed && 'suppressed', a.silenced_by.length && 'silenced', a.flapping && 'flapping'].filter(Boolean).join(',') || '-';

function printAlarms(items: ActiveAlarm[]) {
  printTable(['UUID', 'ALARM', 'SEVERITY', 'ENTITY', 'RAISED', 'FLAGS', 'REASON'], items.map(({ alarm: a }) => [
    a.uuid, a.alarm_id, a.severity, a.entity_instance_id, time(a.raised_at), flags(a), a.reason_text,
  ]));
}

/** Accepts a full uuid or any unique part of one (uuids of one correlator share their first 24 characters). */
async function findAlarm(opts: ApiOptions, id: string): Promise<ActiveAlarm> {
  const api = client(opts);
  if (id.length === 36) return api.getAlarm(id);
  const hits = (await api.listAlarms({ limit: 1000 })).items.filter((a) => a.alarm.uuid.includes(id));
  if (hits.length !== 1) throw new Error(hits.length ? `${id} matches ${hits.length} alarms: give more of the uuid` : `no active alarm ${id}`);
  return hits[0]!;
}

export function alarmCommand(): Command {
  const cmd = new Command('alarm').description('active alarms of the alarm service (REST API)').addHelpText('after', `
Examples:
  faultline alarm list                               every active alarm, worst first; beside \`faultline run\` no
                                                     URL or token is needed: both come from the pipeline file
  export FAULTLINE_API_URL=http://cc-0:8080 FAULTLINE_API_TOKEN=...   another node's service
  faultline alarm list --severity critical --entity host=compute-0
  faultline alarm list --state suppressed --json
  faultline alarm show 00000000002a                  one alarm, by uuid or a unique part of it (the end)
  faultline alarm summary                            counts per severity and OK / degraded / critical
  faultline alarm clear 00000000002a                 clear it as an operator (an fm-api clear through the faults topic)`);

  withApi(cmd.command('list').description('list active alarms, worst severity first'))
    .option('--alarm-id <id>', 'only this alarm id (GGG.EEE)')
    .option('--entity <path>', 'only this entity and what is below it (host=compute-0)')
    .addOption(new Option('--severity <severity>', 'only this severity').choices([...SEVERITIES]))
    .option('--type <alarm_type>', 'only this X.733 alarm type (communication, equipment, ...)')
    .addOption(new Option('--state <state>', 'only alarms in this state').choices(['inhibited', 'suppressed', 'silenced', 'flapping', 'notifiable']))
    .option('--member', 'only the alarms the correlator answering owns (its partitions), not the whole group\'s')
    .option('--limit <n>', 'page size', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (o: ApiOptions & { alarmId?: string; entity?: string; severity?: never; type?: string; state?: never; member?: boolean; limit: string; offset: string }) => {
      const page = await client(o).listAlarms({
        limit: Number(o.limit), offset: Number(o.offset),
        ...(o.alarmId ? { alarm_id: o.alarmId } : {}), ...(o.entity ? { entity: o.entity } : {}), ...(o.severity ? { severity: o.severity } : {}),
        ...(o.type ? { alarm_type: o.type } : {}), ...(o.state ? { state: o.state } : {}), ...(o.member ? { scope: 'member' as const } : {}),
      });
      if (o.json) return printJson(page);
      printAlarms(page.items);
      const shown = page.offset + page.items.length;
      process.stdout.write(`${page.total} alarm(s)${shown < page.total ? `, ${page.offset + 1}-${shown} shown (--offset ${shown} for more)` : ''}\n`);
    });

  withApi(cmd.command('show').description('one active alarm with every field').argument('<uuid>', 'uuid, or a unique part of it'))
    .action(async (id: string, o: ApiOptions) => {
      const a = await findAlarm(o, id);
      if (o.json) return printJson(a);
      const rows = Object.entries({ ...a.alarm, seq: a.seq, last_transition: a.last_transition })
        .map(([k, v]) => [k, k.endsWith('_at') && typeof v === 'number' ? time(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
      printTable(['FIELD', 'VALUE'], rows);
    });

  withApi(cmd.command('summary').description('counts per severity and the overall status (OK, degraded, critical)'))
    .action(async (o: ApiOptions) => {
      const s = await client(o).summary();
      if (o.json) return printJson(s);
      process.stdout.write(`status: ${s.status}  (${s.total} active, ${s.notifiable} notifiable)\n`);
      printTable(['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INHIBITED', 'SUPPRESSED', 'SILENCED', 'FLAPPING'],
        [[s.by_severity.critical, s.by_severity.major, s.by_severity.minor, s.by_severity.warning, s.inhibited, s.suppressed, s.silenced, s.flapping].map(String)]);
    });

  withApi(cmd.command('clear').description('clear an active alarm as an operator (fm-api clear of its id at its entity)').argument('<uuid>', 'uuid, or a unique part of it'))
    .action(async (id: string, o: ApiOptions) => {
      const { alarm } = await findAlarm(o, id);
      const r = await client(o).submitFault({ op: 'clear', alarm_id: alarm.alarm_id, entity_instance_id: alarm.entity_instance_id, source: 'cli' });
      if (o.json) return printJson(r);
      process.stdout.write(`clear of ${alarm.alarm_id} at ${alarm.entity_instance_id} accepted (fault ${r.uuid})\n`);
    });
  return cmd;
}
