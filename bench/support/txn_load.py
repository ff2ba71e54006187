"""Load generator for bench/transactions.js: librdkafka (confluent-kafka) producing 1 KB records
for a fixed time, either plainly (idempotent, acks=all) or in transactions committed every
`commit_ms` milliseconds. Prints one JSON line: records acknowledged and seconds taken.

usage: /usr/bin/python3 txn_load.py BOOTSTRAP TOPIC plain|txn SECONDS SIZE COMMIT_MS
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, mode, seconds, size, commit_ms = sys.argv[1:7]
seconds, size, commit_ms = float(seconds), int(size), int(commit_ms)
conf = {
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    'linger.ms': 1,
    'batch.size': 1000000,
    'queue.buffering.max.messages': 1000000,
    # 64 MB of queue: enough for the plain producer to run at full speed, and what a transactional
    # producer must drain at every commit (commit_transaction flushes and blocks the producing
    # thread). With a 1 GB queue the plain producer gains ~8% and the transactional one loses a
    # third to that drain; the broker sits half idle meanwhile (see docs/benchmarks.md).
    'queue.buffering.max.kbytes': 65536,
}
for kv in filter(None, __import__('os').environ.get('SKEIN_BENCH_TXN_CONF', '').split(',')):
    k, v = kv.split('=', 1)
    conf[k] = v
if mode == 'txn':
    conf['transactional.id'] = 'bench-txn-%d' % time.time_ns()
p = Producer(conf)
acked = 0


def on_delivery(err, _msg):
    global acked
    if err is None:
        acked += 1


value = b'x' * size
if mode == 'txn':
    p.init_transactions()
start = time.monotonic()
end = start + seconds
i = 0
while time.monotonic() < end:
    if mode == 'txn':
        p.begin_transaction()
    window_end = min(end, time.monotonic() + commit_ms / 1000)
    while time.monotonic() < window_end:
        for _ in range(1000):
            try:
                p.produce(topic, value, key=str(i % 1000).encode(), on_delivery=on_delivery)
                i += 1
            except BufferError:
                p.poll(0.001)
        p.poll(0)
    if mode == 'txn':
        p.commit_transaction()
p.flush()
elapsed = time.monotonic() - start
print(json.dumps({'records': acked, 'seconds': elapsed}))
