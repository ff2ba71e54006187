/**
 * JoinGroup: v0-9.
 *
 * Behavior: joins a member to a classic group (GroupCoordinator.handleJoinGroup); the answer waits
 * until the rebalance completes — every member rejoined, or the rebalance timeout ran out — and the
 * leader's answer lists every member with its metadata. INVALID_GROUP_ID for an empty group id,
 * INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms, INCONSISTENT_GROUP_PROTOCOL for
 * another protocol type or no protocol in common, GROUP_MAX_SIZE_REACHED past group.max.size,
 * UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID for an id the group does not know or that another member
 * of the same instance replaced.
 *
 * Version notes: v0 has no rebalance timeout (the session timeout stands in). v4+: a dynamic member
 * joining without an id is answered MEMBER_ID_REQUIRED with the id to rejoin with (KIP-394). v5+
 * carry group.instance.id (KIP-345). Before v7 the protocol name cannot be null and is sent as ''.
 * v8 adds the client's reason (logged). v9: a static leader rejoining a Stable group is told it leads
 * but must skip the assignment (KIP-814); before v9 it is given the old leader id instead.
 */
import { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/apis/join-group.js';
import type { BrokerServices } from '../broker-services.js';
import { handler, type RequestContext } from '../server/handler.js';

export const joinGroupHandler = (s: BrokerServices) =>
  handler(JoinGroup, {}, async (req: JoinGroupRequest, ctx): Promise<JoinGroupResponse> => {
    const version = ctx.header.apiVersion;
    const groupInstanceId = version >= 5 ? (req.groupInstanceId ?? null) : null;
    const r = await s.groupCoordinator.handleJoinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId,
      requireKnownMemberId: version >= 4 && groupInstanceId === null,
      supportSkippingAssignment: version >= 9,
      clientId: ctx.header.clientId ?? '',
      clientHost: clientHostOf(ctx),
      rebalanceTimeoutMs: version >= 1 ? (req.rebalanceTimeoutMs ?? req.sessionTimeoutMs) : req.sessionTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      reason: req.reason ?? null,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: version >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leaderId,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    };
  });

/** The client's address as Kafka reports it in DescribeGroups (InetAddress.toString: "/127.0.0.1"). */
function clientHostOf(ctx: RequestContext): string {
  return `/${ctx.clientHost.replace(/^::ffff:/, '')}`;
}
