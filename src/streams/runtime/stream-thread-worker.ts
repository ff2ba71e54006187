/**
 * The entry point of a stream thread's worker (`worker_threads`). It imports the application's
 * module again to rebuild the topology — through `new KafkaStreams(...)` in the program
 * (worker-registration.ts) or the module's `topology` / default export (topology-module.ts) — and
 * runs one StreamThread, a member of the group like any other, with its own clients, tasks and
 * global-store copy. It reports its state and failures to the KafkaStreams in the main thread and
 * answers its requests (stop, metadata, store queries).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, type LogLevel } from '../../common/logger.js';
import { StreamsError } from '../errors.js';
import type { Topology } from '../processor/topology.js';
import { GlobalStreamThread } from './global-stream-thread.js';
import type { TopicLayout } from './internal-topic-manager.js';
import { createKafkaClient } from './kafka-client.js';
import { PartitionReader } from './partition-reader.js';
import { StreamThread } from './stream-thread.js';
import { StreamsConfig } from './streams-config.js';
import { answerThreadRequest, type ThreadMessage, type ThreadRequest } from './thread-protocol.js';
import { findTopologyExports, resolveTopology } from './topology-module.js';
import { awaitRegistration, markStreamThreadWorker } from './worker-registration.js';

/** What the main thread hands a worker. */
export interface WorkerInit {
  readonly moduleUrl: string;
  readonly applicationId: string;
  /** Properties set outside the module (the command line's): strings, applied on top. */
  readonly overrides: Readonly<Record<string, string>>;
  readonly threadName: string;
  readonly processId: string;
  readonly layout: TopicLayout;
  readonly logLevel: LogLevel;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new StreamsError('stream-thread-worker.js runs only as a worker thread');
  const init = workerData as WorkerInit;
  const post = (m: ThreadMessage): void => port.postMessage(m);
  const logger = createLogger(init.logLevel, undefined, init.threadName);
  markStreamThreadWorker();

  // The program's own KafkaStreams, or the module's exports — whichever the module gives.
  const registered = awaitRegistration(init.applicationId);
  const imported = import(init.moduleUrl) as Promise<Record<string, unknown>>;
  const source = await Promise.race([registered.then((r) => ({ registration: r })), imported.then((ns) => ({ exports: ns }))]);
  let topology: Topology;
  let props: Record<string, unknown>;
  let kafkaOverrides: Record<string, unknown> = {};
  if ('registration' in source) {
    topology = source.registration.topology;
    props = { ...source.registration.props, ...init.overrides };
    kafkaOverrides = (source.registration.options as { kafkaConfig?: Record<string, unknown> } | undefined)?.kafkaConfig ?? {};
  } else {
    const found = findTopologyExports(source.exports, init.moduleUrl);
    props = { ...found.properties, ...init.overrides };
    topology = (await resolveTopology(found.topology, found.exportName, init.moduleUrl, props)).topology;
  }
  const config = new StreamsConfig(props);
  topology.resolveDefaultSerdes(config.values);
  const kafka = createKafkaClient(config, logger, kafkaOverrides);
  const admin = kafka.admin();
  await admin.connect();
  const reader = new PartitionReader(kafka);
  let global: GlobalStreamThread | null = null;
  if (topology.globalSubtopologies().length > 0) {
    global = new GlobalStreamThread(topology, config, init.layout.partitionCounts, new PartitionReader(kafka), logger, `global-${init.threadName}`, (e) =>
      post({ type: 'error', error: serializeError(e) }),
    );
    await global.bootstrap();
    global.start();
  }
  const thread = new StreamThread({
    name: init.threadName,
    processId: init.processId,
    topology,
    config,
    layout: init.layout,
    kafka,
    admin,
    reader,
    logger,
    globalStore: (name) => global?.store(name),
    onStateChange: (_t, state, previous) => post({ type: 'state', state, previous }),
    onError: (_t, e) => post({ type: 'error', error: serializeError(e) }),
  });
  port.on('message', (m: ThreadRequest) => {
    void (async () => {
      if (m.type === 'stop') {
        await thread.stop(m.clean).catch((e: unknown) => logger.warn(`Stopping: ${(e as Error).message}`));
        await global?.stop().catch(() => undefined);
        await reader.close().catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
        post({ type: 'stopped' });
        port.close();
        return;
      }
      post(await answerThreadRequest(thread, m));
    })();
  });
  await thread.start();
  post({ type: 'started' });
}

function serializeError(e: unknown): { name: string; message: string; stack?: string; code?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: string }).code };
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ type: 'error', error: serializeError(e) } satisfies ThreadMessage);
  parentPort?.postMessage({ type: 'stopped' } satisfies ThreadMessage);
});
