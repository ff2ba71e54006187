/**
 * Test support for the group coordinator, used only by `*.test.ts` files: a GroupCoordinator over
 * real partition logs in a temporary directory (so that loading can be tested by reopening it),
 * consumer-protocol subscriptions, and JoinGroup parameters with defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writer } from '../../protocol/writer.js';
import { type Clock, systemClock } from '../clock.js';
import { type BrokerConfig, loadBrokerConfig } from '../config/broker-config.js';
import { effectiveLogConfig } from '../config/topic-config.js';
import { LogManager } from '../log/log-manager.js';
import { silentLogger } from '../logger.js';
import { TopicManager } from '../metadata/topic-manager.js';
import { TopicRegistry } from '../metadata/topic-registry.js';
import { ReplicaManager } from '../replica-manager.js';
import { GroupCoordinator, type JoinGroupParams } from './group-coordinator.js';
import { GroupMetadataManager } from './group-metadata-manager.js';

export interface TestCoordinator {
  coordinator: GroupCoordinator;
  manager: GroupMetadataManager;
  config: BrokerConfig;
  topicManager: TopicManager;
  replicaManager: ReplicaManager;
  topics: TopicRegistry;
  dir: string;
  /** Shuts the coordinator down and closes the logs (the directory stays). */
  close(): Promise<void>;
}

/** Broker settings for fast tests: no initial delay, short session timeouts allowed, few partitions. */
export const FAST_GROUP_OVERRIDES: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '10',
  'offsets.topic.num.partitions': '5',
};

export function makeTmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'skein-group-'));
}

/** A coordinator over `dir` (a fresh one by default), loaded and ready. */
export async function openTestCoordinator(opts: { dir?: string; overrides?: Record<string, string>; clock?: Clock } = {}): Promise<TestCoordinator> {
  const dir = opts.dir ?? makeTmpDir();
  const clock = opts.clock ?? systemClock;
  const config = loadBrokerConfig(new Map(Object.entries({ 'log.dirs': dir, ...FAST_GROUP_OVERRIDES, ...opts.overrides })));
  const topics = TopicRegistry.open(dir);
  const logs = LogManager.open(
    { logDirs: [dir] },
    { clock, logger: silentLogger, topicConfig: (t) => effectiveLogConfig(config, new Map(Object.entries(topics.get(t)?.configs ?? {}))) },
  );
  const topicManager = new TopicManager(topics, logs, config, config.nodeId, silentLogger);
  topicManager.reconcile();
  const replicaManager = new ReplicaManager(logs, topics, clock, silentLogger);
  const manager = new GroupMetadataManager(config, { topics, topicManager, replicaManager, clock, logger: silentLogger });
  const coordinator = new GroupCoordinator(config, manager, {
    clock,
    logger: silentLogger,
    partitionExists: (t, p) => p >= 0 && p < (topics.get(t)?.partitions ?? 0),
  });
  await coordinator.startup();
  return {
    coordinator,
    manager,
    config,
    topicManager,
    replicaManager,
    topics,
    dir,
    close: async () => {
      coordinator.shutdown();
      await logs.shutdown();
    },
  };
}

/** A ConsumerProtocolSubscription v0: the topics, and empty user data. */
export function subscription(topics: string[]): Buffer {
  const w = new Writer(64);
  w.int16(0).int32(topics.length);
  for (const t of topics) w.string(t);
  w.bytes(Buffer.alloc(0));
  return w.toBuffer();
}

export function joinParams(p: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 1_000,
    sessionTimeoutMs: 500,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    ...p,
  };
}
