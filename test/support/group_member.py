"""A confluent-kafka (librdkafka) balanced consumer as a group member, run by /usr/bin/python3.

  group_member.py BOOTSTRAP GROUP TOPIC NAME SESSION_TIMEOUT_MS [INSTANCE_ID]

Subscribes to TOPIC in GROUP (static membership when INSTANCE_ID is given: group.instance.id) and
prints one JSON line per event on stdout, flushed at once:

  {"event": "assigned", "member": NAME, "partitions": [...]}   on_assign
  {"event": "revoked", "member": NAME, "partitions": [...]}    on_revoke
  {"event": "record", "member": NAME, "partition": P, "offset": O}
  {"event": "closed", "member": NAME}

Offsets are auto-committed. A line "close" on stdin (or SIGTERM) closes the consumer and exits 0; a
static member sends no LeaveGroup when it closes (KIP-345), so the group keeps its place.
"""
import json
import select
import signal
import sys

from confluent_kafka import Consumer

bootstrap, group, topic, name, session_timeout = sys.argv[1:6]
instance_id = sys.argv[6] if len(sys.argv) > 6 else None


def out(**fields):
    sys.stdout.write(json.dumps(dict(member=name, **fields)) + '\n')
    sys.stdout.flush()


config = {
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'session.timeout.ms': int(session_timeout),
    'heartbeat.interval.ms': 300,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': True,
    'auto.commit.interval.ms': 200,
    'topic.metadata.refresh.interval.ms': 1000,
}
if instance_id:
    config['group.instance.id'] = instance_id

consumer = Consumer(config)
consumer.subscribe(
    [topic],
    on_assign=lambda c, ps: out(event='assigned', partitions=sorted(p.partition for p in ps)),
    on_revoke=lambda c, ps: out(event='revoked', partitions=sorted(p.partition for p in ps)),
)

stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)

while not stopping:
    msg = consumer.poll(0.1)
    if msg is not None and msg.error() is None:
        out(event='record', partition=msg.partition(), offset=msg.offset())
    elif msg is not None:
        sys.stderr.write('%s: %s\n' % (name, msg.error()))
    if select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if line == '' or 'close' in line:
            stop()

consumer.close()
out(event='closed')
