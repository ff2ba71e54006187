/**
 * DeleteGroups: v0-3.
 *
 * Behavior: deletes each Empty group with all its committed offsets (tombstones in
 * __consumer_offsets); NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND for one that does
 * not exist. An empty group id is allowed, as in Kafka.
 *
 * Version notes: v2+ are flexible; v3 adds a per-group error message (in Kafka's definition, not yet
 * in a release), given here for errors.
 */
import { DeleteGroups, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/apis/delete-groups.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { BrokerServices } from '../broker-services.js';
import { handler } from '../server/handler.js';

export const deleteGroupsHandler = (s: BrokerServices) =>
  handler(DeleteGroups, {}, (req: DeleteGroupsRequest): DeleteGroupsResponse => ({
    throttleTimeMs: 0,
    results: s.groupCoordinator.handleDeleteGroups(req.groupsNames).map((r) => ({
      groupId: r.groupId,
      errorCode: r.errorCode,
      errorMessage: r.errorCode === ErrorCode.NONE ? null : `${errorName(r.errorCode)}: group ${r.groupId}`,
    })),
  }));
