/**
 * Produce: v3-13 accepted; advertised from v0.
 *
 * Behavior: each partition's single record batch is validated (size, CRC, magic, framing) and
 * appended; errors are per partition and leave the log untouched. acks must be -1, 0 or 1
 * (INVALID_REQUIRED_ACKS otherwise); acks=0 gets no response. On one node acks=all is acks=1.
 * A batch with a producer id goes through the partition's producer state (docs/transactions.md): a
 * retried batch succeeds with its original base offset and is not written again; a sequence gap is
 * OUT_OF_ORDER_SEQUENCE_NUMBER, a fenced epoch INVALID_PRODUCER_EPOCH, a forgotten producer
 * UNKNOWN_PRODUCER_ID, a plain batch inside an open transaction INVALID_TXN_STATE.
 *
 * Appends are written behind (docs/log-format.md): the response waits until every accepted batch
 * is in its file; a partition whose write failed answers KAFKA_STORAGE_ERROR. Once the response is
 * ready nothing refers to the request's bytes, so its frame buffer is reused (keepsNoRequestBytes).
 *
 * Version notes: Kafka 4 removed v0-2 (message formats 0 and 1) but still advertises v0, because
 * librdkafka refuses a broker whose Produce minimum is above 0 (KAFKA-18659); a v0-2 request that
 * arrives anyway closes the connection. v13 names topics by id.
 */
import { Produce, type ProduceRequest, type ProduceResponse, type TopicProduceResponse } from '../../protocol/apis/produce.js';
import { ErrorCode } from '../../protocol/errors.js';
import { codeOf } from '../replica-manager.js';
import type { BrokerServices } from '../broker-services.js';
import { handler, type Handler } from '../server/handler.js';

export function produceHandler(s: BrokerServices): Handler<ProduceRequest, ProduceResponse> {
  const h = handler(
    Produce,
    {},
    (req, ctx): ProduceResponse | Promise<ProduceResponse> => {
      const version = ctx.header.apiVersion;
      const writes: Promise<void>[] = [];
      const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
      const responses: TopicProduceResponse[] = req.topicData.map((t) => {
        const name = version >= 13 ? (s.topics.getById(t.topicId)?.name ?? null) : t.name;
        return {
          name: t.name,
          topicId: t.topicId,
          partitionResponses: t.partitionData.map((p) => {
            const fail = (errorCode: number, errorMessage: string | null = null) => ({
              index: p.index,
              errorCode,
              baseOffset: -1n,
              logAppendTimeMs: -1n,
              logStartOffset: -1n,
              recordErrors: [],
              errorMessage,
            });
            if (!validAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
            if (name === null) return fail(ErrorCode.UNKNOWN_TOPIC_ID);
            const r = s.replicaManager.appendRecords(name, p.index, p.records, version);
            if (r.errorCode !== ErrorCode.NONE) {
              if (r.written !== undefined) writes.push(r.written);
              return fail(r.errorCode, r.errorMessage);
            }
            const response = {
              index: p.index,
              errorCode: ErrorCode.NONE,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTime,
              logStartOffset: r.logStartOffset,
              recordErrors: [],
              errorMessage: null as string | null,
            };
            if (r.written !== undefined) {
              writes.push(
                r.written.catch((err: unknown) => {
                  Object.assign(response, fail(codeOf(err), (err as Error).message));
                }),
              );
            }
            return response;
          }),
        };
      });
      const response: ProduceResponse = { responses, throttleTimeMs: 0 };
      if (writes.length === 0) return response;
      return (writes.length === 1 ? writes[0] : Promise.all(writes)).then(() => response);
    },
    { noResponse: (req) => req.acks === 0, keepsNoRequestBytes: true },
  );
  return { ...h, advertisedMinVersion: 0 };
}
