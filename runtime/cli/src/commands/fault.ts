import { Command, Option } from 'commander';
import { SEVERITIES, type FaultEvent } from '@faultline/schemas';
import { checkFault } from '@faultline/fault-client';
import { client, printJson, withApi, type ApiOptions } from './api-options.js';

interface FaultOptions extends ApiOptions { severity?: FaultEvent['severity']; reason?: string; repair?: string; type?: string; cause?: string; serviceAffecting?: boolean }

async function submit(op: FaultEvent['op'], entity: string, alarmId: string | undefined, o: FaultOptions) {
  const f: FaultEvent = { op, entity_instance_id: entity, ts: Date.now(), source: 'cli' };
  if (alarmId) f.alarm_id = alarmId;
  if (o.severity) f.severity = o.severity;
  if (o.reason !== undefined) f.reason_text = o.reason;
  if (o.repair !== undefined) f.proposed_repair_action = o.repair;
  if (o.type) f.alarm_type = o.type as never;
  if (o.cause) f.probable_cause = o.cause as never;
  if (o.serviceAffecting !== undefined) f.service_affecting = o.serviceAffecting;
  checkFault(f); // refuse locally what the service would refuse, naming the field
  const r = await client(o).submitFault(f);
  if (o.json) return printJson(r);
  process.stdout.write(`${op} accepted (fault ${r.uuid})\n`);
}

const details = (cmd: Command) => cmd
  .option('--reason <text>', 'reason text (default: the catalog description)')
  .option('--repair <text>', 'proposed repair action')
  .option('--type <alarm_type>', 'X.733 alarm type (communication, equipment, processing-error, ...)')
  .option('--cause <probable_cause>', 'X.733 probable cause');

export function faultCommand(): Command {
  const cmd = new Command('fault').description('report faults as an application would (fm-api set/clear/clear_all/log)').addHelpText('after', `
Examples:
  faultline fault set 700.110 host=compute-0.interface=eth0 --severity major --reason "carrier lost"
  faultline fault clear 700.110 host=compute-0                 clears 700.110 at compute-0 and below
  faultline fault clear-all host=compute-0                     clears every alarm at compute-0 and below
  faultline fault log 710.002 host=compute-0 --reason "rebooted by operator"`);

  details(withApi(cmd.command('set').description('raise or update an alarm').argument('<alarm_id>', 'GGG.EEE').argument('<entity>', 'entity path: host=compute-0.interface=eth0')))
    .addOption(new Option('--severity <severity>', 'default: the catalog\'s first severity').choices([...SEVERITIES]))
    .option('--service-affecting', 'mark it service affecting')
    .action((alarmId: string, entity: string, o: FaultOptions) => submit('set', entity, alarmId, o));
  withApi(cmd.command('clear').description('clear an alarm id at the entity and below').argument('<alarm_id>', 'GGG.EEE').argument('<entity>', 'entity path'))
    .action((alarmId: string, entity: string, o: FaultOptions) => submit('clear', entity, alarmId, o));
  withApi(cmd.command('clear-all').description('clear every alarm at the entity and below').argument('<entity>', 'entity path'))
    .action((entity: string, o: FaultOptions) => submit('clear_all', entity, undefined, o));
  details(withApi(cmd.command('log').description('record a customer log (never an active alarm)').argument('<log_id>', 'GGG.EEE').argument('<entity>', 'entity path')))
    .addOption(new Option('--severity <severity>', 'severity of the log').choices([...SEVERITIES]))
    .action((logId: string, entity: string, o: FaultOptions) => submit('log', entity, logId, o));
  return cmd;
}
