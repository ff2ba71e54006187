"""confluent-kafka (librdkafka) as a test client of a Skein broker, run by Debian's /usr/bin/python3.

  produce BOOTSTRAP TOPIC COUNT COMPRESSION KEYS
      sends COUNT records, key "k<i % KEYS>", value "v<i>:" + filler, header i=<i>, with the given
      compression.type and librdkafka's default partitioner; prints one JSON line per delivery
      report: {"i", "key", "value", "partition", "offset"}. Exits 1 if any delivery failed.
  consume BOOTSTRAP TOPIC PARTITIONS
      assign()s the partitions (comma-separated) at OFFSET_BEGINNING (a group.id is required by the
      client, but no group is joined and nothing is committed) and prints every record up to the
      end of each as JSON lines: {"partition", "offset", "key", "value", "timestamp", "headers"}.
"""
import json
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition


def text(b):
    return None if b is None else b.decode('utf-8')


def produce(bootstrap, topic, count, compression, keys):
    p = Producer({
        'bootstrap.servers': bootstrap,
        'compression.type': compression,
        'acks': 'all',
        'linger.ms': 5,
        'batch.num.messages': 500,
        'message.timeout.ms': 30000,
    })
    failed = []
    out = []

    def report(i, key, value):
        def cb(err, msg):
            if err is not None:
                failed.append('%d: %s' % (i, err))
            else:
                out.append(json.dumps({'i': i, 'key': key, 'value': value, 'partition': msg.partition(), 'offset': msg.offset()}))
        return cb

    for i in range(count):
        key = 'k%d' % (i % keys)
        value = 'v%d:%s' % (i, 'lorem ipsum dolor sit amet ' * (i % 7))
        while True:
            try:
                p.produce(topic, key=key, value=value, headers=[('i', str(i))], on_delivery=report(i, key, value))
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    left = p.flush(60)
    sys.stdout.write('\n'.join(out) + '\n')
    if failed or left:
        sys.stderr.write('%d deliveries failed, %d not flushed: %s\n' % (len(failed), left, '; '.join(failed[:10])))
        sys.exit(1)


def consume(bootstrap, topic, partitions):
    c = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'skein-test-assign-only',
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': True,
        'auto.offset.reset': 'error',
        'fetch.wait.max.ms': 100,
        'check.crcs': True,
    })
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    out = []
    at_end = set()
    while len(at_end) < len(partitions):
        m = c.poll(20)
        if m is None:
            sys.stderr.write('no record and no end of partition within 20 s\n')
            sys.exit(1)
        err = m.error()
        if err is not None:
            if err.code() == KafkaError._PARTITION_EOF:
                at_end.add(m.partition())
                continue
            sys.stderr.write('consume error: %s\n' % err)
            sys.exit(1)
        ts_type, ts = m.timestamp()
        out.append(json.dumps({
            'partition': m.partition(),
            'offset': m.offset(),
            'key': text(m.key()),
            'value': text(m.value()),
            'timestamp': ts,
            'headers': [[k, text(v)] for k, v in (m.headers() or [])],
        }))
    c.close()
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'produce':
        produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
    elif cmd == 'consume':
        consume(sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4].split(',')])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
