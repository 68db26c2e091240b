"""`cosd admin sts issue`: a temporary key for scripts and CI, used with cos-python-sdk-v5."""
import json
import os

import pytest
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError


def _cli(cosd, *args):
    env_args = ["admin", "--endpoint", cosd.base_url,
                "--root-secret-id", cosd.secret_id, "--root-secret-key", cosd.secret_key]
    return cosd.run_cli(*(env_args + list(args)))


def _temp_client(cosd, sid, skey, token):
    return CosS3Client(CosConfig(Region=cosd.region, SecretId=sid, SecretKey=skey, Token=token,
                                 Scheme="http", IP=cosd.host, Port=cosd.port))


def test_admin_sts_issue_prints_a_scoped_key(cosd, client, bucket, tmp_path):
    policy = {"version": "2.0", "statement": [{
        "effect": "allow", "action": ["name/cos:PutObject"],
        "resource": ["qcs::cos:%s:uid/1250000000:%s/ci/*" % (cosd.region, bucket)]}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy, indent=2))
    r = _cli(cosd, "sts", "issue", "--policy", str(path), "--duration", "900")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    creds = out["Credentials"]
    assert out["ExpiredTime"] - out["StartTime"] == 900
    c = _temp_client(cosd, creds["TmpSecretId"], creds["TmpSecretKey"], creds["Token"])
    c.put_object(Bucket=bucket, Key="ci/artifact.txt", Body=b"built")
    assert client.get_object(Bucket=bucket, Key="ci/artifact.txt")["Body"].get_raw_stream().read() == b"built"
    with pytest.raises(CosServiceError) as e:
        c.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"no")
    assert e.value.get_status_code() == 403

    # --env prints shell exports a CI step can `eval`.
    r = _cli(cosd, "sts", "issue", "--policy", str(path), "--env")
    assert r.returncode == 0, r.stderr
    env = dict(line[len("export "):].split("=", 1) for line in r.stdout.decode().splitlines())
    assert set(env) == {"COS_TMP_SECRET_ID", "COS_TMP_SECRET_KEY", "COS_TMP_TOKEN", "COS_TMP_EXPIRED_TIME"}
    c = _temp_client(cosd, env["COS_TMP_SECRET_ID"].strip("'"), env["COS_TMP_SECRET_KEY"].strip("'"),
                     env["COS_TMP_TOKEN"].strip("'"))
    c.put_object(Bucket=bucket, Key="ci/two.txt", Body=b"2")


def test_admin_sts_issue_reports_refusals(cosd, tmp_path):
    path = tmp_path / "policy.json"
    path.write_text('{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}')
    r = _cli(cosd, "sts", "issue", "--policy", str(path), "--duration", "7201")
    assert r.returncode == 1
    assert b"InvalidParameterValue" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    r = _cli(cosd, "sts", "issue", "--policy", str(bad))
    assert r.returncode == 2
    assert b"not JSON" in r.stderr
