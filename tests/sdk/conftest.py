"""pytest fixtures: one shared cosd server per session, SDK clients, buckets."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cosd_harness as H  # noqa: E402


@pytest.fixture(scope="session")
def cosd(tmp_path_factory):
    """The shared server. Attributes: host, port, secret_id, secret_key,
    data_dir, appid, region, log_path, base_url."""
    root = tmp_path_factory.mktemp("cosd")
    server = H.CosdServer(root / "data", root / "cosd.log")
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    try:
        server.stop()
    finally:
        server.kill()


@pytest.fixture
def server_factory(tmp_path):
    """Private (not started) servers for tests that need their own data dir,
    e.g. crash tests. Killed at teardown."""
    made = []

    def make(name="private", **env):
        server = H.CosdServer(tmp_path / (name + "-data"), tmp_path / (name + ".log"), extra_env=env)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill()
        if server in H.RUNNING_SERVERS:
            H.RUNNING_SERVERS.remove(server)


@pytest.fixture(scope="session")
def client(cosd):
    """CosS3Client configured as spec 02 §2 (IP mode + Host header, ServiceDomain)."""
    return cosd.client()


@pytest.fixture
def recorder(cosd):
    """A client on its own session that records every HTTP response."""
    return H.RecordingClient(cosd)


@pytest.fixture
def bucket_factory(client):
    created = []

    def make(**kwargs):
        name = H.unique_bucket()
        client.create_bucket(Bucket=name, **kwargs)
        created.append(name)
        return name

    yield make
    for name in created:
        H.destroy_bucket(client, name)


@pytest.fixture
def bucket(bucket_factory):
    """A fresh, empty, private bucket <name>-1250000000 (deleted afterwards)."""
    return bucket_factory()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and rep.when in ("setup", "call"):
        for server in H.RUNNING_SERVERS:
            rep.sections.append(("cosd log tail (%s)" % server.log_path, server.log_tail(40)))
