/**
 * SyncGroup: v0-5.
 *
 * Behavior: after a join completes, the leader sends every member's assignment; the coordinator
 * persists the group (GroupMetadata record) and answers every waiting member with its own
 * assignment, and the group becomes Stable. Followers' SyncGroups wait for the leader's. In a Stable
 * group a SyncGroup just returns the member's current assignment. REBALANCE_IN_PROGRESS while
 * PreparingRebalance (or when a new rebalance cuts in); UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * FENCED_INSTANCE_ID as for Heartbeat.
 *
 * Version notes: v3+ carry the static instance id. v5+ carry the protocol type and name, which must
 * match the group's (INCONSISTENT_GROUP_PROTOCOL otherwise) and are echoed (KIP-559).
 */
import { SyncGroup, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/apis/sync-group.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const syncGroupHandler = (s: BrokerServices) =>
  handler(SyncGroup, {}, async (req: SyncGroupRequest, ctx): Promise<SyncGroupResponse> => {
    const version = ctx.header.apiVersion;
    const r = await s.groupCoordinator.handleSyncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: version >= 3 ? (req.groupInstanceId ?? null) : null,
      protocolType: version >= 5 ? (req.protocolType ?? null) : null,
      protocolName: version >= 5 ? (req.protocolName ?? null) : null,
      assignments: req.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  });
