import { Command } from 'commander';
import { loadPipelineConfig, type ComponentKind } from '@faultline/runtime';
import { DEFAULT_PIPELINE } from './paths.js';
import { registry } from './registry.js';
import { runPipeline } from './run.js';
import { remediationCommand } from './commands/remediation.js';
import { alarmCommand } from './commands/alarm.js';
import { eventCommand } from './commands/event.js';
import { faultCommand } from './commands/fault.js';
import { silenceCommand } from './commands/silence.js';
import { simulateCommand } from './commands/simulate.js';
import { topicsCommand } from './commands/topics.js';

const ROLE_HELP: Record<ComponentKind, string> = {
  collector: 'run only the collectors of the pipeline file (on every node)',
  processor: 'run only the processors of the pipeline file (correlator, remediator)',
  sink: 'run only the sinks of the pipeline file (Prometheus, SNMP, ClickHouse, ...)',
};

const configOption = (cmd: Command) =>
  cmd.option('-c, --config <file>', 'pipeline file (YAML); see deploy/faultline.example.yaml', DEFAULT_PIPELINE);

function roleCommand(kind: ComponentKind): Command {
  const cmd = new Command(kind).description(ROLE_HELP[kind]);
  const types = [...registry[kind].values()];
  for (const f of types) {
    configOption(cmd.command(f.type).description(`${f.description} [${f.stability}]`))
      .action(async (opts: { config: string }) => runPipeline({ config: opts.config, only: { kind, type: f.type } }));
  }
  cmd.addHelpText('after', types.length ? '' : `\nNo ${kind} types are built in yet.`);
  return cmd;
}

export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Event-driven fault and performance monitoring for edge clouds: collectors → bus → correlator → sinks.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Examples:
  faultline run                              the whole pipeline in one process, embedded bus (single node)
  faultline run -c deploy/faultline.example.yaml
  faultline config check deploy/faultline.example.yaml
  faultline collector host -c pipeline.yaml  one role, for a multi-node deployment on Kafka`);

  configOption(program.command('run').description('run every component of the pipeline file in one process (Ctrl-C stops it cleanly)'))
    .action(async (opts: { config: string }) => runPipeline({ config: opts.config }));

  for (const kind of ['collector', 'processor', 'sink'] as const) program.addCommand(roleCommand(kind));

  const config = program.command('config').description('work with pipeline files');
  config.command('check').description('validate a pipeline file and list every problem with its line and field')
    .argument('<file>', 'pipeline file (YAML)')
    .action((file: string) => {
      const cfg = loadPipelineConfig(file, registry);
      const names = cfg.components.map((c) => `${c.id} (${c.factory.type})`).join(', ') || 'no components';
      process.stdout.write(`${file}: valid; node ${cfg.node}, bus ${cfg.bus.type}, ${names}\n`);
    });
  program.addCommand(remediationCommand());
  program.addCommand(simulateCommand());
  program.addCommand(topicsCommand());
  program.addCommand(alarmCommand());
  program.addCommand(eventCommand());
  program.addCommand(silenceCommand());
  program.addCommand(faultCommand());
  return program;
}
