"""Prometheus metrics and JSON logs of the real binary (issue 27, docs/operations.md).

A real Prometheus (Debian's ``prometheus`` package; scripts/prereqs.sh installs it) scrapes
``/_cosd/metrics`` every second with the bearer token; after boto3 PUTs and a GET of a missing
key, its query API must return the exact request counts and the storage gauges. Without the
``prometheus`` binary the test fails under CI (which installs it) and is skipped elsewhere.

A server started with ``COSD_LOG_FORMAT=json`` writes one JSON object per log line, and the
access line of a request carries the request id the response gave.
"""

import json
import os
import shutil
import subprocess
import time

import pytest
import requests

import cosd_harness as H
import s3_harness as S

TOKEN = "metrics-test-token-4b1d"


def prometheus_binary():
    path = shutil.which(os.environ.get("COSD_PROMETHEUS", "prometheus"))
    if path is None:
        msg = "prometheus is not installed (Debian package prometheus; scripts/prereqs.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return path


def query(base, promql):
    r = requests.get(base + "/api/v1/query", params={"query": promql}, timeout=5)
    r.raise_for_status()
    body = r.json()
    assert body["status"] == "success", body
    return [(s["metric"], float(s["value"][1])) for s in body["data"]["result"]]


def wait_for(base, promql, want, timeout=25.0):
    """Polls ``promql`` until its one result equals ``want``."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        try:
            got = query(base, promql)
        except requests.RequestException as e:
            got = repr(e)
        if isinstance(got, list) and len(got) == 1 and got[0][1] == want:
            return
        time.sleep(0.3)
    pytest.fail("%s: wanted %r, last answer %r" % (promql, want, got), pytrace=False)


def test_a_real_prometheus_scrapes_the_counts(server_factory, tmp_path):
    binary = prometheus_binary()
    server = server_factory("metrics", COSD_METRICS_TOKEN=TOKEN,
                            COSD_METRICS_STORAGE_INTERVAL_SECS="1")
    server.start()
    # The token guards the endpoint.
    url = server.base_url + "/_cosd/metrics"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 403

    port = H.free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n"
        "  scrape_interval: 1s\n"
        "  scrape_timeout: 1s\n"
        "scrape_configs:\n"
        "  - job_name: cosd\n"
        "    metrics_path: /_cosd/metrics\n"
        "    authorization:\n"
        "      type: Bearer\n"
        "      credentials: %s\n"
        "    static_configs:\n"
        "      - targets: ['127.0.0.1:%d']\n" % (TOKEN, server.port))
    log = open(str(tmp_path / "prometheus.log"), "wb")
    prom = subprocess.Popen(
        [binary, "--config.file=%s" % config, "--storage.tsdb.path=%s" % (tmp_path / "tsdb"),
         "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    base = "http://127.0.0.1:%d" % port
    try:
        s3 = S.make_client(server)
        bucket = S.unique_bucket()
        s3.create_bucket(Bucket=bucket)
        for i in range(3):
            s3.put_object(Bucket=bucket, Key="k%d" % i, Body=b"x" * 5000)
        with pytest.raises(Exception):
            s3.get_object(Bucket=bucket, Key="missing")

        wait_for(base, 'up{job="cosd"}', 1.0)
        wait_for(base, 'sum(cosd_requests_total{op="PutObject",dialect="s3",status="2xx"})', 3.0)
        wait_for(base, 'sum(cosd_requests_total{op="GetObject",status="4xx"})', 1.0)
        wait_for(base, 'cosd_errors_total{code="NoSuchKey"}', 1.0)
        wait_for(base, 'sum(cosd_received_bytes_total{op="PutObject"})', 15000.0)
        wait_for(base, 'sum(cosd_request_duration_seconds_count{op="PutObject"})', 3.0)
        wait_for(base, 'cosd_storage_objects', 3.0)
        wait_for(base, 'cosd_storage_logical_bytes', 15000.0)
    except BaseException:
        log.flush()
        print((tmp_path / "prometheus.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        prom.terminate()
        try:
            prom.wait(timeout=10)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
        log.close()


def test_json_logs_carry_the_request_id(server_factory):
    server = server_factory("jsonlog", COSD_LOG_FORMAT="json")
    server.start()
    r = requests.get(server.base_url + "/no-such-bucket-1250000000/key", timeout=5)
    rid = r.headers["x-cos-request-id"]
    assert server.stop() == 0
    with open(server.log_path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert logged, lines
    # Nothing was logged in the text format (the rest is the harness's marker and the banner).
    assert not [line for line in lines if " INFO " in line or " WARN " in line], lines
    for entry in logged:
        assert set(entry) >= {"timestamp", "level", "target", "message"}, entry
    done = [e for e in logged if e["message"] == "done" and e.get("request_id") == rid]
    assert len(done) == 1, logged
    assert done[0]["fields"]["status"] == r.status_code
    assert done[0]["fields"]["method"] == "GET"
    assert any(e["message"] == "shutting down" and "request_id" not in e for e in logged)
