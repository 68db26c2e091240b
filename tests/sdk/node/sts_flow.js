'use strict';
// Temporary keys end to end with the official Node SDKs (driven by ../test_sts_node.py):
//   1. qcloud-cos-sts getCredential() against cosd's HTTPS listener (the SDK always connects to
//      https://<host>/; trust comes from NODE_EXTRA_CA_CERTS=<data_dir>/tls/ca.pem);
//   2. cos-nodejs-sdk-v5 with a getAuthorization callback returning those credentials, against
//      cosd's plain HTTP port (option Ip: the SDK keeps the virtual-host Host header
//      <bucket>.cos.<region>.myqcloud.com and connects to Ip; ForcePathStyle throws in 3.x).
// Prints one JSON object on stdout; every step records what the SDK returned, never asserts.
//
// Environment: COSD_TLS_HOST (127.0.0.1:<tls port>), COSD_HTTP_HOST (127.0.0.1:<port>),
// COSD_SECRET_ID / COSD_SECRET_KEY (a permanent key), COSD_BUCKET (<name>-<appid>, exists),
// COSD_REGION.

const http = require('http');
const STS = require('qcloud-cos-sts');
const COS = require('cos-nodejs-sdk-v5');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error('missing environment variable ' + name);
  return v;
};
const TLS_HOST = env('COSD_TLS_HOST');
const HTTP_HOST = env('COSD_HTTP_HOST');
const SECRET_ID = env('COSD_SECRET_ID');
const SECRET_KEY = env('COSD_SECRET_KEY');
const BUCKET = env('COSD_BUCKET');
const REGION = env('COSD_REGION');
const APPID = BUCKET.slice(BUCKET.lastIndexOf('-') + 1);

const resource = (key) => 'qcs::cos:' + REGION + ':uid/' + APPID + ':' + BUCKET + '/' + key;

// What an SDK error tells the caller (STS errors are the service's Error object; COS errors
// carry statusCode/code/message; transport errors come from axios or the request library).
function describeError(err) {
  if (!err) return null;
  const out = {};
  for (const k of ['Code', 'Message', 'RequestId', 'statusCode', 'code', 'message', 'error']) {
    const v = err[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? describeError(v) || String(v) : v;
  }
  if (err.cause && err.cause.code) out.cause = err.cause.code + ': ' + (err.cause.message || '');
  if (Object.keys(out).length === 0) out.text = String(err);
  return out;
}

function getCredential(opts) {
  return new Promise((resolve) => {
    STS.getCredential(opts, (err, data) => resolve({ err, data }));
  });
}

async function credentialStep(policy, overrides) {
  const opts = Object.assign(
    { secretId: SECRET_ID, secretKey: SECRET_KEY, host: TLS_HOST, durationSeconds: 1800, region: REGION, policy },
    overrides || {}
  );
  const { err, data } = await getCredential(opts);
  if (err) return { ok: false, error: describeError(err) };
  const c = data.credentials || {};
  return {
    ok: true,
    tmpSecretId: c.tmpSecretId,
    tmpSecretKey: c.tmpSecretKey,
    sessionToken: c.sessionToken,
    startTime: data.startTime,
    expiredTime: data.expiredTime,
    expiration: data.expiration,
    requestId: data.requestId,
  };
}

function cosWith(cred) {
  return new COS({
    Ip: HTTP_HOST,
    Protocol: 'http:',
    // One try per call: a refused request must show up as such, not be retried.
    ChunkRetryTimes: 0,
    AutoSwitchHost: false,
    getAuthorization: function (options, callback) {
      callback({
        TmpSecretId: cred.tmpSecretId,
        TmpSecretKey: cred.tmpSecretKey,
        SecurityToken: cred.sessionToken,
        StartTime: cred.startTime,
        ExpiredTime: cred.expiredTime,
      });
    },
  });
}

function call(cos, method, params) {
  return new Promise((resolve) => {
    cos[method](Object.assign({ Bucket: BUCKET, Region: REGION }, params), (err, data) => {
      if (err) return resolve({ ok: false, error: describeError(err) });
      const out = { ok: true, statusCode: data.statusCode };
      if (data.ETag !== undefined) out.etag = data.ETag;
      if (data.Body !== undefined) out.body = Buffer.from(data.Body).toString('utf8');
      resolve(out);
    });
  });
}

function objectUrl(cos, key) {
  return new Promise((resolve) => {
    cos.getObjectUrl({ Bucket: BUCKET, Region: REGION, Key: key, Sign: true, Expires: 300 }, (err, data) =>
      resolve(err ? { error: describeError(err) } : { url: data.Url })
    );
  });
}

// GET a presigned URL that names the real COS host, sent to cosd with that Host header.
function fetchUrl(url) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const [hostname, port] = HTTP_HOST.split(':');
    const req = http.request(
      { hostname, port: Number(port), method: 'GET', path: u.pathname + u.search, headers: { Host: u.host } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const code = /<Code>([^<]*)<\/Code>/.exec(body);
          resolve({ statusCode: res.statusCode, body: res.statusCode === 200 ? body : undefined,
                    code: code ? code[1] : undefined });
        });
      }
    );
    req.on('error', (e) => resolve({ error: describeError(e) }));
    req.end();
  });
}

async function cosSteps(cred, withGet) {
  const cos = cosWith(cred);
  const out = {};
  out.put_inside = await call(cos, 'putObject', { Key: 'dir/node.txt', Body: Buffer.from('from node') });
  out.put_outside = await call(cos, 'putObject', { Key: 'other/node.txt', Body: Buffer.from('from node') });
  if (withGet) {
    out.get_inside = await call(cos, 'getObject', { Key: 'dir/node.txt' });
    const signed = await objectUrl(cos, 'dir/node.txt');
    out.presigned_url_has_token = !!signed.url && signed.url.indexOf('x-cos-security-token=') > -1;
    out.presigned_get = signed.url ? await fetchUrl(signed.url) : signed;
    out.presigned_get_without_token = signed.url
      ? await fetchUrl(signed.url.replace(/&x-cos-security-token=[^&]*/, ''))
      : signed;
  }
  return out;
}

async function main() {
  const result = { node: process.version };
  const policy = {
    version: '2.0',
    statement: [
      {
        action: ['name/cos:PutObject', 'name/cos:GetObject'],
        effect: 'allow',
        resource: [resource('dir/*')],
      },
    ],
  };
  result.sts = await credentialStep(policy);
  result.sts_wrong_secret_key = await credentialStep(policy, { secretKey: SECRET_KEY + 'x' });
  // The SDK's own policy builder (legacy resource form prefix//<appid>/<short bucket>/<prefix>).
  const scoped = STS.getPolicy([{ action: 'name/cos:PutObject', bucket: BUCKET, region: REGION, prefix: 'dir/*' }]);
  result.scoped_policy = scoped;
  result.sts_scoped = await credentialStep(scoped);
  if (result.sts.ok) result.cos = await cosSteps(result.sts, true);
  if (result.sts_scoped.ok) result.cos_scoped = await cosSteps(result.sts_scoped, false);
  return result;
}

main().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  },
  (e) => {
    process.stderr.write((e && e.stack) || String(e));
    process.stderr.write('\n');
    process.exit(1);
  }
);
