/**
 * DescribeGroups: v0-6.
 *
 * Behavior: each group's state, protocol type, and members (member id, instance id, client id and
 * host). While Stable it also gives the chosen protocol and each member's metadata and assignment;
 * otherwise those are empty, as in Kafka. A group the broker does not know is reported Dead with no
 * members (before v6). An empty group id is allowed, as in Kafka.
 *
 * Version notes: v3+ may ask for authorized operations; with no authorizer the answer is "unknown"
 * (INT32_MIN). v4+ show static instance ids. v6+ answer an unknown group with GROUP_ID_NOT_FOUND and
 * a message (KIP-1043).
 */
import { DescribeGroups, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/apis/describe-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { GroupState } from '../group/group-state.js';
import { handler } from '../server/handler.js';

const UNKNOWN_OPERATIONS = -2147483648;

export const describeGroupsHandler = (s: BrokerServices) =>
  handler(DescribeGroups, {}, (req: DescribeGroupsRequest, ctx): DescribeGroupsResponse => ({
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const { errorCode, summary } = s.groupCoordinator.handleDescribeGroup(groupId);
      const base = { groupId, protocolType: '', protocolData: '', members: [], authorizedOperations: UNKNOWN_OPERATIONS };
      if (summary === null) {
        return ctx.header.apiVersion >= 6
          ? { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, groupState: GroupState.Dead }
          : { ...base, errorCode: ErrorCode.NONE, errorMessage: null, groupState: GroupState.Dead };
      }
      return {
        errorCode,
        errorMessage: null,
        groupId,
        groupState: summary.state,
        protocolType: summary.protocolType,
        protocolData: summary.protocol,
        members: summary.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: UNKNOWN_OPERATIONS,
      };
    }),
  }));
