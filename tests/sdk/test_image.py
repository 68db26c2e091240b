"""The container image (Containerfile, scripts/image, docs/ci.md): built once for this module
from COSD_BIN, run with podman, driven through the published port by boto3 and
cos-python-sdk-v5.

Skips (with the reason) only when podman is missing or cannot start any container on this
machine (a probe runs /bin/true from a plain root filesystem); a failing image build fails.
Everything it creates (image, containers, volumes) is removed at the end.
"""

import os
import resource
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

import cosd_harness as H
import s3_harness as S3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET_ID = "AKIDcosdIMAGEROOT000000000000000000"
SECRET_KEY = "cosdImageRootSecretKey00000000000"
RUN_ID = uuid.uuid4().hex[:8]
TAG = "localhost/cosd-test:%s" % RUN_ID
HEALTH_TIMEOUT = 20.0


def podman(*args, check=True, timeout=60):
    r = subprocess.run(["podman"] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("podman %s: exit %d\n%s%s" % (" ".join(args), r.returncode,
                                                            r.stdout.decode(), r.stderr.decode()))
    return r


def run_options():
    """What `podman run` needs on this machine: runc (crun cannot start containers under
    cgroups v1/hybrid), and rlimits within this process's hard limits (podman's defaults
    are refused: "error setting rlimit type 7")."""
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    nofile = 65536 if nofile == resource.RLIM_INFINITY else min(nofile, 65536)
    nproc = 4096 if nproc == resource.RLIM_INFINITY else min(nproc, 4096)
    return ["--runtime", "runc", "--ulimit", "nofile=%d:%d" % (nofile, nofile),
            "--ulimit", "nproc=%d:%d" % (nproc, nproc)]


def probe_podman():
    """None when podman can start a container here, else why not."""
    if shutil.which("podman") is None or shutil.which("runc") is None:
        return "podman/runc are not installed (scripts/prereqs.sh installs them)"
    with tempfile.TemporaryDirectory(prefix="cosd-probe-") as rootfs:
        os.makedirs(os.path.join(rootfs, "bin"))
        shutil.copy("/bin/true", os.path.join(rootfs, "bin", "true"))
        ldd = subprocess.run(["ldd", "/bin/true"], stdout=subprocess.PIPE, check=True).stdout.decode()
        for word in ldd.split():
            if word.startswith("/"):
                dest = rootfs + word
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy(word, dest)
        r = podman("run", "--rm", "--network", "none", *run_options(), "--rootfs", rootfs,
                   "/bin/true", check=False)
        if r.returncode != 0:
            return "podman cannot start a container on this machine: %s" % r.stderr.decode().strip()
    return None


class Container(object):
    """One `podman run` of the image on a named volume, published on 127.0.0.1."""

    def __init__(self, image, volume):
        self.image = image
        self.volume = volume
        self.name = None
        self.host = "127.0.0.1"
        self.port = None
        self.tls_port = None
        self.region = H.REGION
        self.appid = H.APPID
        self.secret_id = SECRET_ID
        self.secret_key = SECRET_KEY

    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def start(self):
        self.name = "cosd-test-%s-%s" % (RUN_ID, uuid.uuid4().hex[:6])
        self.port, self.tls_port = H.free_port(), H.free_port()
        started = time.monotonic()
        # podman runs periodic health checks from systemd timers; without systemd it logs
        # that it cannot add them, and `podman healthcheck run` (wait_healthy) runs the check.
        podman("run", "-d", "--name", self.name, *run_options(),
               "-p", "%s:%d:9000/tcp" % (self.host, self.port),
               "-p", "%s:%d:9443/tcp" % (self.host, self.tls_port),
               "-v", "%s:/data" % self.volume,
               "-e", "COSD_ROOT_SECRET_ID=%s" % SECRET_ID,
               "-e", "COSD_ROOT_SECRET_KEY=%s" % SECRET_KEY,
               self.image)
        self.started_in = self.wait_healthy(started)
        return self

    def wait_healthy(self, started):
        """Seconds from `podman run` until the image's own health check passes."""
        deadline = started + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if podman("healthcheck", "run", self.name, check=False).returncode == 0:
                return time.monotonic() - started
            state = podman("inspect", "--format", "{{.State.Status}}", self.name).stdout.decode().strip()
            if state not in ("created", "running"):
                break
            time.sleep(0.1)
        raise AssertionError("the container did not become healthy (state %s); logs:\n%s"
                             % (state, self.logs()))

    def logs(self):
        r = podman("logs", self.name, check=False)
        return (r.stdout + r.stderr).decode("utf-8", "replace")[-4000:]

    def stop(self):
        podman("stop", "-t", "20", self.name)
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.name).stdout)

    def remove(self):
        if self.name:
            podman("rm", "-f", self.name, check=False)

    def cos(self):
        cfg = H.CosConfig(Region=self.region, SecretId=self.secret_id, SecretKey=self.secret_key,
                          Scheme="http", IP=self.host, Port=self.port,
                          ServiceDomain="%s:%d" % (self.host, self.port))
        return H.CosS3Client(cfg, retry=1)


@pytest.fixture(scope="module")
def image():
    why = probe_podman()
    if why:
        pytest.skip(why)
    env = dict(os.environ, COSD_BIN=H.cosd_bin())
    started = time.monotonic()
    r = subprocess.run([os.path.join(ROOT, "scripts", "image"), "--tag", TAG], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    out = r.stdout.decode("utf-8", "replace")
    if r.returncode != 0:
        pytest.fail("scripts/image failed (exit %d):\n%s" % (r.returncode, out[-4000:]), pytrace=False)
    print("%s (%.1f s)" % (out.strip().splitlines()[-1], time.monotonic() - started))
    yield TAG
    podman("rmi", "-f", TAG, check=False)


@pytest.fixture(scope="module")
def volume(image):
    name = "cosd-test-%s" % RUN_ID
    podman("volume", "create", name)
    yield name
    podman("volume", "rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def container(image, volume):
    made = []

    def start():
        c = Container(image, volume)
        made.append(c)
        return c.start()

    c = start()
    c.restart = start
    yield c
    for m in made:
        m.remove()


def test_image_is_small_and_runs_as_non_root(image, container):
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout)
    assert size < 80 * 1000 * 1000, size
    cfg = podman("image", "inspect", "--format", "{{.Config.User}} {{json .Config.Healthcheck.Test}}",
                 image).stdout.decode()
    assert cfg.startswith("10001:10001 "), cfg
    assert '"/cosd","health"' in cfg, cfg
    top = podman("top", container.name, "user", "huser", "args").stdout.decode().splitlines()
    assert len(top) == 2 and top[1].split()[:2] == ["cosd", "10001"], top
    print("healthy %.2f s after podman run" % container.started_in)


def test_boto3_and_cos_sdk_through_the_published_port(container):
    s3 = S3.make_client(container)
    bucket = "image-%s-%s" % (uuid.uuid4().hex[:8], H.APPID)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="from-boto3.txt", Body=b"hello from boto3")
    got = s3.get_object(Bucket=bucket, Key="from-boto3.txt")["Body"].read()
    assert got == b"hello from boto3"
    cos = container.cos()
    cos.put_object(Bucket=bucket, Key="from-cos.txt", Body=b"hello from cos-python-sdk-v5")
    assert H.read_body(cos.get_object(Bucket=bucket, Key="from-boto3.txt")) == b"hello from boto3"
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == ["from-boto3.txt", "from-cos.txt"]


def test_https_with_the_generated_ca(container, tmp_path):
    ca = str(tmp_path / "ca.pem")
    podman("cp", "%s:/data/tls/ca.pem" % container.name, ca)
    s3 = S3.boto3.session.Session().client(
        "s3", endpoint_url="https://localhost:%d" % container.tls_port, region_name=H.REGION,
        aws_access_key_id=SECRET_ID, aws_secret_access_key=SECRET_KEY, verify=ca,
        config=S3.Config(s3={"addressing_style": "path"}))
    bucket = "tls-%s-%s" % (uuid.uuid4().hex[:8], H.APPID)
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_data_survives_a_new_container_on_the_volume(container):
    s3 = S3.make_client(container)
    bucket = "keep-%s-%s" % (uuid.uuid4().hex[:8], H.APPID)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"still here")
    assert container.stop() == 0, container.logs()
    container.remove()
    again = container.restart()
    s3 = S3.make_client(again)
    assert s3.get_object(Bucket=bucket, Key="kept.txt")["Body"].read() == b"still here"
    assert H.read_body(again.cos().get_object(Bucket=bucket, Key="kept.txt")) == b"still here"
