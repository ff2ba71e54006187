/**
 * kafkajs asks for a coordinator (FindCoordinator) before every transactional request: the
 * transaction coordinator before AddPartitionsToTxn, AddOffsetsToTxn and EndTxn, the group
 * coordinator before TxnOffsetCommit — four extra round trips in each task's transaction, which
 * under exactly_once commits every 100 ms, while its stream thread waits. (Kafka's Java client
 * remembers its coordinators until a request fails.)
 *
 * `rememberCoordinators(kafka)` makes every client that `kafka` creates from then on keep an answer
 * for `ttlMs` (failed lookups are not kept). A coordinator that moves within that time answers
 * NOT_COORDINATOR: kafkajs does not retry that for AddPartitionsToTxn, AddOffsetsToTxn or EndTxn, so
 * the task's commit fails and the task starts again from its last commit (as after any failed
 * commit), and a consumer rejoins; either may meet the stale answer again until it expires. A move
 * costs at most `ttlMs` more and a task restart, never a wrong result: every coordinator checks each
 * request itself.
 *
 * It reaches into kafkajs's private `createCluster` (an own property of each `Kafka`, keyed by a
 * symbol) and `Cluster.findGroupCoordinatorMetadata`; if a kafkajs release renames them, it does
 * nothing and kafkajs behaves as before.
 */
import type { Kafka } from 'kafkajs';

interface CoordinatorLookup {
  findGroupCoordinatorMetadata(args: { groupId: string; coordinatorType?: number }): Promise<unknown>;
}

type CreateCluster = (...args: unknown[]) => unknown;

export function rememberCoordinators(kafka: Kafka, ttlMs: number): boolean {
  const target = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(target).find((s) => s.description === 'private:Kafka:createCluster');
  const create = key === undefined ? undefined : target[key];
  if (key === undefined || typeof create !== 'function') return false;
  target[key] = (...args: unknown[]) => {
    const cluster = (create as CreateCluster)(...args) as Partial<CoordinatorLookup>;
    const find = cluster.findGroupCoordinatorMetadata;
    if (typeof find !== 'function') return cluster;
    const known = new Map<string, { at: number; metadata: unknown }>();
    cluster.findGroupCoordinatorMetadata = async (a) => {
      const k = `${a.coordinatorType ?? 0}:${a.groupId}`;
      const hit = known.get(k);
      if (hit !== undefined && Date.now() - hit.at < ttlMs) return hit.metadata;
      const metadata = await find.call(cluster, a);
      known.set(k, { at: Date.now(), metadata });
      return metadata;
    };
    return cluster;
  };
  return true;
}
