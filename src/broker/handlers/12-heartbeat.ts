/**
 * Heartbeat: v0-4.
 *
 * Behavior: keeps a member's session alive. NONE while Stable or CompletingRebalance;
 * REBALANCE_IN_PROGRESS while PreparingRebalance (the member must rejoin); UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION or FENCED_INSTANCE_ID for a member the current generation does not know.
 * While the group's partition is loading the answer is NONE, as Kafka answers.
 *
 * Version notes: v1+ carry throttle time; v3+ the static instance id.
 */
import { Heartbeat, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/apis/heartbeat.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const heartbeatHandler = (s: BrokerServices) =>
  handler(Heartbeat, {}, (req: HeartbeatRequest, ctx): HeartbeatResponse => ({
    throttleTimeMs: 0,
    errorCode: s.groupCoordinator.handleHeartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.header.apiVersion >= 3 ? (req.groupInstanceId ?? null) : null,
    }),
  }));
