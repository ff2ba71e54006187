/**
 * LeaveGroup: v0-5.
 *
 * Behavior: removes members from a group, which then rebalances (or becomes Empty when the last
 * one left). A member named by instance id alone (member id '') is an admin removing a static
 * member; a member id with another member's instance id is FENCED_INSTANCE_ID; an unknown one
 * UNKNOWN_MEMBER_ID.
 *
 * Version notes: v0-2 name one member and carry its result as the top-level error; v3+ name a batch
 * of members (with instance ids) and answer each; v5 adds a reason per member (logged).
 */
import { LeaveGroup, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/apis/leave-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const leaveGroupHandler = (s: BrokerServices) =>
  handler(LeaveGroup, {}, (req: LeaveGroupRequest, ctx): LeaveGroupResponse => {
    const version = ctx.header.apiVersion;
    const leaving = version >= 3 ? (req.members ?? []) : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
    const r = s.groupCoordinator.handleLeaveGroup(req.groupId, leaving);
    if (version >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
    const memberError = r.members[0]?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : memberError };
  });
