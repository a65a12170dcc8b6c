// s3rver in a process of its own, for test/support/s3.ts: its listing pages are marked with
// DES-encrypted continuation tokens, a cipher Node 20's OpenSSL 3 only has with
// --openssl-legacy-provider, which the test runner's own process must not need.
// argv: the folder to keep its objects in, then the buckets. Prints {"port":N} once listening.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
