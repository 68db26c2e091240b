"""Bucket event notifications across a crash (contract: docs/notifications.md).

boto3 sets a QueueConfiguration naming the webhook the server is configured with
(COSD_NOTIFY_WEBHOOKS); a receiver thread (http.server) records every event it is sent, and
answers slowly so the outbox backs up. A scripted workload of puts and deletes over a few keys
runs until some operations were acknowledged, then cosd is killed with SIGKILL mid-workload,
restarted on the same data directory, and the workload finishes. Every acknowledged
operation's event must have arrived, exactly once after deduplication by `sequencer`, in
order per key; the one operation in flight at the kill may or may not have happened.
"""

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import s3_harness as S3

KEYS = ["k%d" % i for i in range(5)]
BEFORE_KILL = 40
AFTER_RESTART = 30
WAIT = 30.0


class Receiver(object):
    """Collects (sequencer, eventName, key) of every record posted, in arrival order."""

    def __init__(self, delay=0.03):
        self.records = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                doc = json.loads(body)
                with outer.lock:
                    for r in doc["Records"]:
                        o = r["s3"]["object"]
                        outer.records.append((o["sequencer"], r["eventName"], o["key"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/events" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class Workload(threading.Thread):
    """One writer: puts or deletes a random key, one operation at a time, and records
    each operation once it was acknowledged (with the event it must produce)."""

    def __init__(self, s3, bucket, exists, seed, limit):
        threading.Thread.__init__(self, daemon=True)
        self.s3, self.bucket, self.exists = s3, bucket, exists
        self.rnd = random.Random(seed)
        self.limit = limit
        self.acked = []          # (key, eventName), in acknowledgement order
        self.inflight = None     # (key, eventName) when the server died under it
        self.error = None

    def run(self):
        while len(self.acked) < self.limit:
            key = self.rnd.choice(KEYS)
            if self.exists.get(key) and self.rnd.random() < 0.4:
                op = (key, "ObjectRemoved:Delete")
            else:
                op = (key, "ObjectCreated:Put")
            try:
                if op[1] == "ObjectRemoved:Delete":
                    self.s3.delete_object(Bucket=self.bucket, Key=key)
                    self.exists[key] = False
                else:
                    body = ("%s-%d" % (key, len(self.acked))).encode()
                    self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
                    self.exists[key] = True
            except Exception as e:  # the kill
                self.inflight = op
                self.error = e
                return
            self.acked.append(op)


def per_key(records):
    """Records deduplicated by sequencer (identical duplicates only), grouped by key in
    sequencer order; also checks first arrivals per key come in sequencer order."""
    first = {}
    arrival = {}
    for seq, name, key in records:
        if seq in first:
            assert first[seq] == (name, key), "sequencer %s reused: %r vs %r" % (
                seq, first[seq], (name, key))
            continue
        first[seq] = (name, key)
        arrival.setdefault(key, []).append(seq)
    for key, seqs in arrival.items():
        assert seqs == sorted(seqs), "events of %s arrived out of order: %r" % (key, seqs)
    out = {}
    for seq in sorted(first):
        name, key = first[seq]
        out.setdefault(key, []).append(name)
    return out


def test_every_acknowledged_event_arrives_once_in_order_across_kill_9(server_factory, receiver):
    hooks = '[{ id = "hook1", url = "%s", auth_token = "tok-123" }]' % receiver.url
    server = server_factory("notify", COSD_NOTIFY_WEBHOOKS=hooks,
                            COSD_NOTIFY_RETRY_INITIAL_MS="50", COSD_NOTIFY_RETRY_MAX_SECS="1")
    server.start()
    s3 = S3.make_client(server)
    bucket = S3.unique_bucket()
    s3.create_bucket(Bucket=bucket)
    arn = "arn:cosd:sqs:%s:hook1:webhook" % server.region
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{
            "Id": "all", "QueueArn": arn,
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["QueueConfigurations"][0]["QueueArn"] == arn
    # An ARN no webhook answers to is refused as S3 refuses it.
    with pytest.raises(S3.ClientError) as e:
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={"QueueConfigurations": [{
                "QueueArn": "arn:cosd:sqs::nope:webhook", "Events": ["s3:ObjectCreated:*"]}]})
    assert S3.err(e)[:2] == (400, "InvalidArgument")

    exists = {}
    first = Workload(s3, bucket, exists, seed=1, limit=10 ** 6)
    first.start()
    deadline = time.monotonic() + WAIT
    while len(first.acked) < BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(first.acked) >= BEFORE_KILL, first.error
    server.kill()
    first.join(WAIT)
    assert not first.is_alive()
    delivered_at_kill = len(receiver.snapshot())
    # The slow receiver left events in the outbox: the restart must deliver them.
    assert delivered_at_kill < len(first.acked), (delivered_at_kill, len(first.acked))

    server.start()
    s3 = S3.make_client(server)
    # Learn what the in-flight operation did.
    for key in KEYS:
        try:
            s3.head_object(Bucket=bucket, Key=key)
            exists[key] = True
        except S3.ClientError:
            exists[key] = False
    second = Workload(s3, bucket, exists, seed=2, limit=AFTER_RESTART)
    second.run()
    assert second.error is None, second.error

    want = {}
    for key, name in first.acked:
        want.setdefault(key, []).append(name)
    maybe = dict((k, list(v)) for k, v in want.items())
    if first.inflight is not None:
        k, name = first.inflight
        maybe.setdefault(k, []).append(name)
    for key, name in second.acked:
        want.setdefault(key, []).append(name)
        maybe.setdefault(key, []).append(name)
    total = len(first.acked) + len(second.acked)

    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        got = per_key(receiver.snapshot())
        if sum(len(v) for v in got.values()) >= total and all(
                got.get(k) in (want[k], maybe.get(k)) for k in want):
            break
        time.sleep(0.2)
    got = per_key(receiver.snapshot())
    for key in KEYS:
        assert got.get(key, []) in (want.get(key, []), maybe.get(key, [])), (
            key, got.get(key), want.get(key), first.inflight)
    assert server.stop() == 0
