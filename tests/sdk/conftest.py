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


# ------------------------------------------------------------ S3 dialect (boto3)
# Used by test_s3_*.py; s3_harness imports boto3 lazily so the COS-only tests
# do not depend on it.

@pytest.fixture(scope="session", params=["defaults", "s3v4-signed"])
def s3(request, cosd):
    """A boto3 S3 client (path-style, http). Every test using it runs twice:
    botocore installed defaults, and SigV4 with signed payload and
    request_checksum_calculation='when_required' (see s3_harness.CLIENT_CONFIGS)."""
    import s3_harness as S3
    client = S3.named_client(cosd, request.param)
    client.cosd_config_name = request.param
    return client


@pytest.fixture(scope="session")
def s3_default(cosd):
    """An unparametrized boto3 client with botocore defaults (for tests that do
    not depend on the client configuration, e.g. hand-built requests)."""
    import s3_harness as S3
    return S3.named_client(cosd, "defaults")


@pytest.fixture
def s3_bucket_factory(cosd, s3_default):
    import s3_harness as S3
    created = []

    def make(s3=None):
        name = S3.unique_bucket()
        (s3 or s3_default).create_bucket(Bucket=name)
        created.append(name)
        return name

    yield make
    for name in created:
        S3.destroy_bucket(s3_default, name)


@pytest.fixture
def s3_bucket(s3, s3_bucket_factory):
    """A fresh bucket created through the parametrized ``s3`` client."""
    return s3_bucket_factory(s3)


# ------------------------------------------------------------ access control
# Used by test_access.py / test_s3_access.py.

@pytest.fixture
def sub_factory(cosd):
    """make(groups=None) -> cosd_harness.SubAccount: a fresh sub-account (random
    uin) with one key, created through the admin API and deleted at teardown."""
    made = []

    def make(groups=None):
        acct = H.create_sub_account(cosd, groups=groups)
        made.append(acct)
        return acct

    yield make
    for acct in made:
        try:
            H.admin_request(cosd, "DELETE", "users/%s" % acct.uin)
        except Exception:  # best effort
            pass


@pytest.fixture
def sub(sub_factory):
    """One fresh sub-account with no policy."""
    return sub_factory()
