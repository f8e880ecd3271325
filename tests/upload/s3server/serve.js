// An S3-compatible server for vmcap's upload tests, on 127.0.0.1 only: @20minutes/s3rver
// (a maintained fork of s3rver whose 4.x computes and checks AWS Signature V4 for every
// request; s3rver 3.7.1 on npm accepts any V4 signature). Its one account gets the access
// key and secret given here instead of the built-in S3RVER/S3RVER, so a test can present
// a wrong secret and see 403 SignatureDoesNotMatch.
//
// An unsigned request is refused (403 AccessDenied): s3rver would take it anonymously,
// and a test must not pass because a request went unsigned. The body is checked against
// the x-amz-content-sha256 it was signed with (400 XAmzContentSHA256Mismatch, as S3
// answers): s3rver checks the signature over that header but never hashes the body.
//
// node --openssl-legacy-provider serve.js DIR PORT ACCESS_KEY SECRET_KEY BUCKET...
// (s3rver encrypts ListObjectsV2 continuation tokens with DES, in OpenSSL 3's legacy provider)
// Prints "listening 127.0.0.1:PORT" once it accepts requests, then one line per request:
// "METHOD URL STATUS [S3 error code]"; stops on SIGTERM.
'use strict';

const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const S3Error = require('@20minutes/s3rver/lib/models/error');
const { createHash } = require('node:crypto');
const { PassThrough } = require('node:stream');

// Bodies are held in memory to be hashed: parts and artifacts of the tests are small.
const kMaxBody = 64 << 20;

// Reads the whole body, checks its SHA-256 against the signed header, and hands s3rver
// a stream of the same bytes in place of the consumed request.
async function checkPayloadHash(ctx) {
  const claimed = ctx.get('x-amz-content-sha256').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(claimed)) return;
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > kMaxBody) throw new S3Error('EntityTooLarge', 'This test server hashes bodies up to 64 MiB');
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== claimed) {
    const err = new S3Error('XAmzContentSHA256Mismatch',
      'The provided x-amz-content-sha256 header does not match what was computed.',
      { ClientComputedContentSHA256: claimed, S3ComputedContentSHA256: actual });
    err.status = 400;
    err.expose = true;
    throw err;
  }
  const replay = new PassThrough();
  for (const key of ['method', 'url', 'headers', 'rawHeaders', 'socket', 'connection', 'httpVersion',
    'httpVersionMajor', 'httpVersionMinor', 'baseUrl']) {
    replay[key] = ctx.req[key];
  }
  replay.end(body);
  ctx.req = replay;
  ctx.request.req = replay;
}

const [dir, port, accessKey, secretKey, ...buckets] = process.argv.slice(2);
if (!dir || !port || !accessKey || !secretKey || buckets.length === 0) {
  console.error('usage: node serve.js DIR PORT ACCESS_KEY SECRET_KEY BUCKET...');
  process.exit(2);
}

AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory: dir,
  silent: true,
  vhostBuckets: false,
  allowMismatchedSignatures: false,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});

// Before s3rver's own middleware (Koa runs them in array order).
server.middleware.unshift(async (ctx, next) => {
  try {
    if (!ctx.get('authorization')) throw new S3Error('AccessDenied', 'Unsigned request refused by this test server');
    await checkPayloadHash(ctx);
    await next();
    console.log(`${ctx.method} ${ctx.url} ${ctx.status}`);
  } catch (err) {
    console.log(`${ctx.method} ${ctx.url} ${err.status || 500} ${err.code || err.message}`);
    throw err;
  }
});

server.run().then(
  ({ address, port: p }) => console.log(`listening ${address}:${p}`),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
