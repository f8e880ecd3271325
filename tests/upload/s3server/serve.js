// An S3-compatible server for vmcap's upload tests, on 127.0.0.1 only: @20minutes/s3rver
// (a maintained fork of s3rver whose 4.x computes and checks AWS Signature V4 for every
// request; s3rver 3.7.1 on npm accepts any V4 signature). Its one account gets the access
// key and secret given here instead of the built-in S3RVER/S3RVER, so a test can present
// a wrong secret and see 403 SignatureDoesNotMatch.
//
// An unsigned request is refused (403 AccessDenied): s3rver would take it anonymously,
// and a test must not pass because a request went unsigned.
//
// node serve.js DIR PORT ACCESS_KEY SECRET_KEY BUCKET...
// Prints "listening 127.0.0.1:PORT" once it accepts requests, then one line per request:
// "METHOD URL STATUS [S3 error code]"; stops on SIGTERM.
'use strict';

const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const S3Error = require('@20minutes/s3rver/lib/models/error');

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
