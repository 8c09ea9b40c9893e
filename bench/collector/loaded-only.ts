// The floor between an empty node and the running collector: every module `faultline collector host` loads
// (config loader, Kafka bus, spool, host collector), bundled the same lean way, and nothing started.
import { createBus, kafkaConfigOf, loadPipelineConfig, loadTopicSpecs, startPipeline } from '@faultline/runtime';
import { collectorOnlyRegistry } from '../../collectors/host/lean/registry.js';

const loaded = [createBus, kafkaConfigOf, loadPipelineConfig, loadTopicSpecs, startPipeline, collectorOnlyRegistry];
process.stdout.write(`ready ${loaded.length}\n`);
setInterval(() => {}, 2 ** 30);
