/**
 * CoordinatorRuntime: what a coordinator over an internal topic runs on — whether it is active,
 * which partitions are still loading (their keys answer COORDINATOR_LOAD_IN_PROGRESS), loading every
 * partition at startup, and the coordinator's periodic jobs (expiry).
 *
 * Left out, compared with Kafka's coordinator runtime: partition leadership (every partition is
 * loaded once, at startup, and never unloaded), coordinator epochs, and the event queue that
 * serialises writes — here a write is a synchronous append (InternalTopic.append).
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { type CoordinatorPlayback, loadCoordinatorPartition } from './coordinator-loader.js';
import type { InternalTopic, InternalTopicDeps } from './internal-topic.js';

/** What a coordinator over an internal topic needs from the broker. */
export interface CoordinatorDeps extends InternalTopicDeps {
  logger: Logger;
}

/** One partition's load: its records are played in, then `complete` says what they describe. */
export interface PartitionLoad<T> extends CoordinatorPlayback {
  /** Called once every record is played: puts what the partition holds in the cache and returns it. */
  complete(): T[];
}

export interface CoordinatorLoadSpec<T> {
  /** What is loaded, for the log: "group(s)". */
  what: string;
  /** A fresh load of one partition. */
  load(partition: number): PartitionLoad<T>;
  /** Each loaded item, once its partition no longer counts as loading. */
  onLoaded(item: T): void;
}

export class CoordinatorRuntime {
  private readonly loadingPartitions = new Set<number>();
  private active = false;
  private readonly timers: TimerHandle[] = [];
  private readonly logger: Logger;
  private readonly clock: Clock;

  constructor(
    readonly topic: InternalTopic,
    deps: Pick<CoordinatorDeps, 'clock' | 'logger'>,
  ) {
    this.logger = deps.logger;
    this.clock = deps.clock;
  }

  /** False until startup has run and after shutdown. */
  get isActive(): boolean {
    return this.active;
  }

  get isLoading(): boolean {
    return this.loadingPartitions.size > 0;
  }

  /** Whether the partition holding `key` is still loading. */
  isKeyLoading(key: string): boolean {
    return this.loadingPartitions.has(this.topic.partitionFor(key));
  }

  /**
   * Marks the coordinator active, then loads every partition of the topic (when it exists), one
   * after another; all count as loading until their own load is done.
   */
  async startup<T>(spec: CoordinatorLoadSpec<T>): Promise<void> {
    this.active = true;
    if (!this.topic.exists) return;
    const partitions = this.topic.partitionCount;
    for (let p = 0; p < partitions; p++) this.loadingPartitions.add(p);
    for (let p = 0; p < partitions; p++) {
      let loaded: T[];
      try {
        loaded = await this.loadPartition(p, spec);
      } finally {
        this.loadingPartitions.delete(p);
      }
      for (const item of loaded) spec.onLoaded(item);
    }
  }

  /** Runs `job` every `intervalMs` of the clock until shutdown; a failed run is logged and the next goes ahead. */
  schedule(what: string, intervalMs: number, job: () => void): void {
    const timer = this.clock.setInterval(() => {
      try {
        job();
      } catch (err) {
        this.logger.error(`${what} failed: ${(err as Error).stack}`);
      }
    }, intervalMs);
    this.timers.push(timer.unref());
  }

  shutdown(): void {
    this.active = false;
    for (const timer of this.timers) timer.cancel();
    this.timers.length = 0;
  }

  private async loadPartition<T>(partition: number, spec: CoordinatorLoadSpec<T>): Promise<T[]> {
    // How long the load took, for the log: real elapsed time, not the broker's clock.
    const started = performance.now();
    const log = this.topic.log(partition);
    const load = spec.load(partition);
    await loadCoordinatorPartition(log, load);
    const loaded = load.complete();
    if (loaded.length > 0 || log.logEndOffset > 0) {
      this.logger.info(
        `Loaded ${loaded.length} ${spec.what} from ${this.topic.name}-${partition} (offsets ${log.logStartOffset}-${log.logEndOffset}) in ${Math.round(performance.now() - started)} ms`,
      );
    }
    return loaded;
  }
}
