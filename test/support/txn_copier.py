"""confluent-kafka (librdkafka) transactions against a Skein broker, run by Debian's /usr/bin/python3.

  copy BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID COUNT
      a consume-transform-produce loop, exactly once: a consumer in GROUP (read_committed, no
      auto-commit) reads INPUT; for each polled batch a transaction produces every record to OUTPUT
      (same partition, key, value upper-cased) and commits the consumed offsets with
      send_offsets_to_transaction(positions, consumer.consumer_group_metadata()) — TxnOffsetCommit
      v3 with the member id and generation (KIP-447). Stops after COUNT records have been copied.
      Before the first batch it runs one transaction that it aborts: a record "junk" to OUTPUT
      partition 0 and offsets of 999999 for every assigned partition, which must never be seen.
      Prints one JSON line per event: {"event": "assigned"|"committed"|"aborted"|"done", ...}.
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def emit(**event):
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


def copy(bootstrap, input_topic, output_topic, group, transactional_id, count):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
        'session.timeout.ms': 6000,
        'socket.timeout.ms': 10000,
    })
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': transactional_id,
        'transaction.timeout.ms': 30000,
        'linger.ms': 5,
        'socket.timeout.ms': 10000,
    })
    producer.init_transactions(30)
    assigned = []

    def on_assign(c, partitions):
        assigned[:] = partitions
        emit(event='assigned', partitions=[p.partition for p in partitions])

    consumer.subscribe([input_topic], on_assign=on_assign)
    copied = 0
    aborted_once = False
    while copied < count:
        msgs = consumer.consume(num_messages=50, timeout=1.0)
        if not assigned:
            continue
        if not aborted_once:
            producer.begin_transaction()
            producer.produce(output_topic, key=b'junk', value=b'junk', partition=0)
            junk = [TopicPartition(input_topic, p.partition, 999999) for p in assigned]
            producer.send_offsets_to_transaction(junk, consumer.consumer_group_metadata(), 30)
            producer.flush(30)  # so that the junk is in the log, not just dropped by the abort
            producer.abort_transaction(30)
            aborted_once = True
            emit(event='aborted')
        msgs = [m for m in msgs if m.error() is None]
        if not msgs:
            continue
        producer.begin_transaction()
        for m in msgs:
            value = m.value().upper() if m.value() is not None else None
            producer.produce(output_topic, key=m.key(), value=value, partition=m.partition())
        positions = consumer.position(consumer.assignment())
        producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(30)
        copied += len(msgs)
        emit(event='committed', records=len(msgs), offsets={str(p.partition): p.offset for p in positions})
    consumer.close()
    emit(event='done', copied=copied)


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'copy':
        try:
            copy(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]))
        except KafkaException as e:
            sys.stderr.write('%s\n' % e)
            sys.exit(1)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
