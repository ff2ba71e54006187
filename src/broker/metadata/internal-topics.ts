/**
 * The names of the broker's internal topics (Kafka's `Topic.GROUP_METADATA_TOPIC_NAME` and
 * `Topic.TRANSACTION_STATE_TOPIC_NAME`). Here, not with their coordinators, because each coordinator
 * needs the other's: a transaction writes its marker to the group's `__consumer_offsets` partition.
 */

/** The group coordinator's compacted topic: group metadata and committed offsets. */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
/** The transaction coordinator's compacted topic: one record per transactional id's state change. */
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';
