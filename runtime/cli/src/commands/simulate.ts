import { Command } from 'commander';
import { stringify } from 'yaml';
import { parseDuration } from '@faultline/runtime';
import { runPipeline } from '../run.js';

interface SimulateOptions {
  brokers: string;
  hosts: string;
  hostOffset: string;
  series: string;
  interval: string;
  heartbeat: string;
  seed: string;
  flapping: string;
  filling: string;
  silentHosts: string;
  silentAfter: string;
  dataDir: string;
  duration?: string;
}

/** `faultline simulate`: a fleet of simulated hosts into Kafka, so scale is measured, not guessed. */
export function simulateCommand(): Command {
  return new Command('simulate')
    .description('generate a simulated fleet (metric batches, heartbeats, faults) into Kafka')
    .option('--brokers <list>', 'Kafka brokers, comma-separated', process.env.FAULTLINE_KAFKA_BROKERS ?? '127.0.0.1:9092')
    .option('--hosts <n>', 'number of hosts', '100')
    .option('--host-offset <n>', 'index of the first host: simulators with disjoint ranges make one fleet', '0')
    .option('--series <n>', 'samples per host per interval', '500')
    .option('--interval <duration>', 'metric interval per host', '10s')
    .option('--heartbeat <duration>', 'heartbeat period per host, or "off"', '1s')
    .option('--seed <n>', 'the same seed replays the same fleet and events', '1')
    .option('--flapping <share>', 'share of hosts with a flapping interface (0..1)', '0.01')
    .option('--filling <share>', 'share of hosts whose /var fills up (0..1)', '0.01')
    .option('--silent-hosts <n>', 'hosts that go silent after --silent-after', '0')
    .option('--silent-after <duration>', 'when the silent hosts stop', '60s')
    .option('--duration <duration>', 'stop after this long (default: until Ctrl-C)')
    .option('--data-dir <dir>', 'where the simulator keeps its spool (a spool left there is replayed into the next run)', '.dev/simulator')
    .addHelpText('after', `
Each host sends one MetricBatch per interval (spread evenly over it), a heartbeat per period, and
the faults of its scenario. Progress (batches/s, samples/s) is logged every 10 s.

Examples:
  faultline simulate --brokers 127.0.0.1:19092 --hosts 10000 --series 500      500,000 samples/s
  faultline simulate --hosts 5000 --host-offset 5000 ...      the second half of a 10,000-host fleet from a second process
  faultline simulate --hosts 50 --silent-hosts 3 --silent-after 30s --duration 2m`)
    .action(async (o: SimulateOptions) => {
      const pipeline = {
        node: 'simulator',
        data_dir: o.dataDir,
        bus: { type: 'kafka', kafka: { brokers: o.brokers.split(',').map((b) => b.trim()), client_id: 'faultline-simulator' } },
        collectors: {
          simulator: {
            hosts: Number(o.hosts), host_offset: Number(o.hostOffset), series_per_host: Number(o.series), interval: o.interval,
            ...(o.heartbeat === 'off' ? { heartbeats: false } : { heartbeat_period: o.heartbeat }), seed: Number(o.seed),
            scenarios: {
              flapping_interfaces: Number(o.flapping), filling_filesystems: Number(o.filling),
              silent_hosts: Number(o.silentHosts), silent_after: o.silentAfter,
            },
          },
        },
      };
      await runPipeline({
        config: '(faultline simulate options)', text: stringify(pipeline),
        ...(o.duration ? { durationMs: parseDuration(o.duration) } : {}),
      });
    });
}
