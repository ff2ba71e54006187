/**
 * ListGroups: v0-5.
 *
 * Behavior: every group this broker coordinates (all of them) with its protocol type. The error is
 * COORDINATOR_LOAD_IN_PROGRESS while __consumer_offsets is still being loaded.
 *
 * Version notes: v4+ filter by state (case-insensitive; empty means all) and report each group's
 * state (KIP-518). v5+ filter by type and report it: every group here is "classic", so a type filter
 * without "classic" lists nothing.
 */
import { ListGroups, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/apis/list-groups.js';
import type { BrokerServices } from '../broker-services.js';
import { CLASSIC_GROUP_TYPE } from '../group/group-coordinator.js';
import { handler } from '../server/handler.js';

export const listGroupsHandler = (s: BrokerServices) =>
  handler(ListGroups, {}, (req: ListGroupsRequest, ctx): ListGroupsResponse => {
    const version = ctx.header.apiVersion;
    const { errorCode, groups } = s.groupCoordinator.handleListGroups(
      version >= 4 ? (req.statesFilter ?? []) : [],
      version >= 5 ? (req.typesFilter ?? []) : [],
    );
    return {
      throttleTimeMs: 0,
      errorCode,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: CLASSIC_GROUP_TYPE })),
    };
  });
