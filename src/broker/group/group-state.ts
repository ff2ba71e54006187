/**
 * The classic group's states, as data: each state lists the states it may be entered from, and
 * `checkTransition` is the one guard every transition goes through. Names are Kafka's, which is also
 * what DescribeGroups and ListGroups report.
 */

export const GroupState = {
  /** No members; may still hold committed offsets. */
  Empty: 'Empty',
  /** A rebalance is due; waiting for members to (re)join. */
  PreparingRebalance: 'PreparingRebalance',
  /** Everyone joined; waiting for the leader's SyncGroup with the assignments. */
  CompletingRebalance: 'CompletingRebalance',
  /** Assignments handed out; members heartbeat. */
  Stable: 'Stable',
  /** Removed: deleted, expired, or unloaded. */
  Dead: 'Dead',
} as const;

export type GroupState = (typeof GroupState)[keyof typeof GroupState];

export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: [GroupState.PreparingRebalance],
  PreparingRebalance: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  CompletingRebalance: [GroupState.PreparingRebalance],
  Stable: [GroupState.CompletingRebalance],
  Dead: [GroupState.Stable, GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Empty, GroupState.Dead],
};

export const ALL_GROUP_STATES: readonly GroupState[] = Object.values(GroupState);

export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** A transition the state machine does not allow: a coordinator bug, never a client's fault. */
export class IllegalGroupStateTransitionError extends Error {
  override name = 'IllegalGroupStateTransitionError';
}

export function checkTransition(groupId: string, from: GroupState, to: GroupState): void {
  if (!isValidTransition(from, to)) {
    throw new IllegalGroupStateTransitionError(
      `Group ${groupId} should be in one of ${VALID_PREVIOUS_STATES[to].join(', ')} before moving to ${to}, but is ${from}`,
    );
  }
}

/** A state name from a ListGroups filter, matched case-insensitively as Kafka does. */
export function parseGroupState(name: string): GroupState | undefined {
  const lower = name.toLowerCase();
  return ALL_GROUP_STATES.find((s) => s.toLowerCase() === lower);
}
