// A long-running proxyless gRPC client (@grpc/grpc-js-xds), bootstrapped by the env
// GRPC_XDS_BOOTSTRAP_CONFIG, calling xds:///reviews. It reads one command per line on stdin:
//
//   count N [header=value]   makes N unary calls to demo.Version/Get, one after another, and
//                            prints {"counts": {VERSION: n, ...}, "errors": n, "firstError": "..."}
//
// and exits when stdin closes.
'use strict';

const grpc = require('@grpc/grpc-js');
const readline = require('node:readline');
require('@grpc/grpc-js-xds').register();

const client = new grpc.Client('xds:///reviews', grpc.credentials.createInsecure());
// Strings both ways, no proto: the backends answer their version as raw UTF-8.
const bytes = (value) => value;

function call(metadata) {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/demo.Version/Get',
      bytes,
      bytes,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 5000 },
      (error, answer) => resolve(error ? { error } : { version: answer.toString('utf8') }),
    );
  });
}

async function count(n, header) {
  const metadata = new grpc.Metadata();
  if (header) {
    const [key, value] = header.split('=', 2);
    metadata.set(key, value);
  }
  const result = { counts: {}, errors: 0, firstError: null };
  for (let i = 0; i < n; i++) {
    const { version, error } = await call(metadata);
    if (error) {
      result.errors++;
      result.firstError ??= error.message;
    } else {
      result.counts[version] = (result.counts[version] ?? 0) + 1;
    }
  }
  return result;
}

async function main() {
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [command, n, header] = line.trim().split(/\s+/);
    const answer =
      command === 'count' && Number.isInteger(Number(n))
        ? await count(Number(n), header)
        : { unknown: line };
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
  client.close();
  process.exit(0);
}

main();
