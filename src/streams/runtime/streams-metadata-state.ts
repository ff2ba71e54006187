/**
 * Where stores and keys are (Kafka Streams' `StreamsMetadataState`): from the topology (which
 * sub-topology a store belongs to, and its key serde), the topic layout (how many tasks that
 * sub-topology has) and the assignment's host map (which `application.server` runs which task as
 * active or standby), it answers `queryMetadataForKey` and `metadataForAllStreamsClients`.
 *
 * A key's partition is the default partitioner's: murmur2 of the key serialized with the store's
 * key serde (or the serializer given), modulo the sub-topology's partition count — right whenever
 * the records reached the store's task by key, through a source or repartition topic written with
 * the default partitioner, as in Kafka Streams.
 */
import type { Serde } from '../../serdes/serde.js';
import { InvalidStateStoreError } from '../errors.js';
import type { StoreDef, Subtopology, Topology } from '../processor/topology.js';
import type { StoreQueryInfo } from '../state/store-builder.js';
import { type TopicLayout, resolveTopicName } from './internal-topic-manager.js';
import { partitionForKey } from './partitioner.js';
import { type HostTasks, parseTaskId, partitionsOfTask, taskId } from './streams-partition-assignor.js';

/** An instance's `application.server` (Kafka Streams' `HostInfo`). */
export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

/** Where a key's task runs (Kafka Streams' `KeyQueryMetadata`). */
export interface KeyQueryMetadata {
  readonly activeHost: HostInfo;
  readonly standbyHosts: readonly HostInfo[];
  /** The partition (= the task of the store's sub-topology) the key belongs to; -1 for a global store. */
  readonly partition: number;
}

const UNAVAILABLE: HostInfo = Object.freeze({ host: 'unavailable', port: -1 });

export const KeyQueryMetadata = {
  /** No answer yet (not started, no assignment, or the key's task has no `application.server`), as Kafka Streams' constant. */
  NOT_AVAILABLE: Object.freeze({ activeHost: UNAVAILABLE, standbyHosts: Object.freeze([]) as readonly HostInfo[], partition: -1 }) as KeyQueryMetadata,
};

/** One instance of the application (Kafka Streams' `StreamsMetadata`). */
export interface StreamsMetadata {
  readonly hostInfo: HostInfo;
  /** Stores of its active tasks (and the global stores, which every instance has). */
  readonly stateStoreNames: readonly string[];
  readonly topicPartitions: readonly { topic: string; partition: number }[];
  readonly standbyStateStoreNames: readonly string[];
  readonly standbyTopicPartitions: readonly { topic: string; partition: number }[];
}

/** What a key serializer needs to be: a Serde will do. */
export type KeySerializer<K> = Pick<Serde<K>, 'serialize'>;

/** `host:port` → HostInfo; null for '' (an instance without application.server) or a malformed one. */
export function parseHostInfo(server: string): HostInfo | null {
  const i = server.lastIndexOf(':');
  if (i <= 0) return null;
  const port = Number(server.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  return { host: server.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port };
}

export function sameHost(a: HostInfo, b: HostInfo): boolean {
  return a.port === b.port && a.host === b.host;
}

export interface StoreLocation {
  readonly def: StoreDef;
  /** The sub-topology whose tasks hold the store; null for a global store. */
  readonly subtopology: Subtopology | null;
  readonly info: StoreQueryInfo | undefined;
}

export class StreamsMetadataState {
  constructor(
    private readonly topology: Topology,
    private readonly applicationId: string,
  ) {}

  /** The store's definition and sub-topology; throws for a store the topology does not have. */
  locate(storeName: string): StoreLocation {
    const def = this.topology.stores.get(storeName);
    if (def === undefined) {
      const names = [...this.topology.stores.keys()];
      throw new InvalidStateStoreError(`The topology has no store named ${storeName}${names.length > 0 ? ` (it has ${names.join(', ')})` : ''}`);
    }
    const subtopology = def.global === true ? null : (this.topology.subtopologies().find((s) => s.stores.includes(storeName)) ?? null);
    if (subtopology === null && def.global !== true) throw new InvalidStateStoreError(`Store ${storeName} is connected to no processor`);
    return { def, subtopology, info: def.builder.queryInfo };
  }

  /**
   * The task (of the store's sub-topology) that holds `key`, or null for a global store or when the
   * key cannot be serialized (no serializer given and the store's builder does not say its serde).
   */
  taskForKey<K>(storeName: string, key: K, layout: TopicLayout, serializer?: KeySerializer<K>): { taskId: string; partition: number } | null {
    const loc = this.locate(storeName);
    if (loc.subtopology === null) return null;
    const ser = serializer ?? (loc.info?.keySerde as KeySerializer<K> | undefined);
    if (ser === undefined) return null;
    const partitions = layout.partitionsPerSubtopology.get(loc.subtopology.id);
    if (partitions === undefined || partitions === 0) return null;
    const topic = resolveTopicName(this.topology, this.applicationId, loc.subtopology.sourceTopics[0] ?? '');
    const bytes = ser.serialize(topic, key);
    if (bytes === null) throw new InvalidStateStoreError(`A null key has no partition (store ${storeName})`);
    const partition = partitionForKey(bytes, partitions);
    return { taskId: taskId(loc.subtopology.id, partition), partition };
  }

  /** Kafka Streams' `queryMetadataForKey`: the instances that run the key's task as active and standby. */
  keyQueryMetadata<K>(
    storeName: string,
    key: K,
    serializer: KeySerializer<K> | undefined,
    layout: TopicLayout | null,
    hosts: Readonly<Record<string, HostTasks>>,
    localServer: string,
  ): KeyQueryMetadata {
    const loc = this.locate(storeName);
    if (loc.subtopology === null) {
      // A global store is complete in every instance: this one will do.
      const local = parseHostInfo(localServer);
      return local === null ? KeyQueryMetadata.NOT_AVAILABLE : { activeHost: local, standbyHosts: [], partition: -1 };
    }
    if (layout === null) return KeyQueryMetadata.NOT_AVAILABLE;
    if (serializer === undefined && loc.info === undefined) {
      throw new InvalidStateStoreError(`Store ${storeName} does not say its key serde: pass the key serializer to queryMetadataForKey`);
    }
    const task = this.taskForKey(storeName, key, layout, serializer);
    if (task === null) return KeyQueryMetadata.NOT_AVAILABLE;
    let active: HostInfo | null = null;
    const standbys: HostInfo[] = [];
    for (const [server, tasks] of Object.entries(hosts)) {
      const h = parseHostInfo(server);
      if (h === null) continue;
      if (tasks.active.includes(task.taskId)) active = h;
      if (tasks.standby.includes(task.taskId)) standbys.push(h);
    }
    if (active === null) return KeyQueryMetadata.NOT_AVAILABLE;
    return { activeHost: active, standbyHosts: standbys, partition: task.partition };
  }

  /** Kafka Streams' `metadataForAllStreamsClients`: every instance with an application.server. */
  allMetadata(layout: TopicLayout | null, hosts: Readonly<Record<string, HostTasks>>): StreamsMetadata[] {
    if (layout === null) return [];
    const globalStores = [...this.topology.stores].filter(([, d]) => d.global === true).map(([n]) => n);
    const storesOf = (tasks: readonly string[]): string[] => {
      const subs = new Set(tasks.map((t) => parseTaskId(t).subtopology));
      return this.topology
        .subtopologies()
        .filter((s) => subs.has(s.id))
        .flatMap((s) => s.stores);
    };
    const out: StreamsMetadata[] = [];
    for (const [server, tasks] of Object.entries(hosts).sort(([a], [b]) => a.localeCompare(b))) {
      const hostInfo = parseHostInfo(server);
      if (hostInfo === null) continue;
      out.push({
        hostInfo,
        stateStoreNames: [...new Set([...storesOf(tasks.active), ...globalStores])].sort(),
        topicPartitions: tasks.active.flatMap((t) => partitionsOfTask(layout, t)),
        standbyStateStoreNames: [...new Set(storesOf(tasks.standby))].sort(),
        standbyTopicPartitions: tasks.standby.flatMap((t) => partitionsOfTask(layout, t)),
      });
    }
    return out;
  }
}
