// local-aws-sqs on 127.0.0.1 for the delivery tests.
// node sqs_server.js [PORT]   (0 or nothing: a free port). First stdout line: "listening <port>".
// Queues: "events" (standard) and "events.fifo" (FIFO, no content-based deduplication, so a
// sender must give MessageDeduplicationId itself). Account 000000000000, region us-east-1.
"use strict";
const { createSqsServer } = require("local-aws-sqs");

const port = Number(process.argv[2] || 0);
createSqsServer({
  port,
  hostname: "127.0.0.1",
  region: "us-east-1",
  accountId: "000000000000",
  emulateQueueCreationLifecycle: false,
  queues: [
    { QueueName: "events" },
    { QueueName: "events.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "false" } },
  ],
}).then((server) => {
  process.stdout.write(`listening ${server.address().port}\n`);
  const stop = () => {
    server.close(() => process.exit(0));
    if (server.closeAllConnections) server.closeAllConnections();   // keep-alive clients
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}, (err) => {
  process.stderr.write(`local-aws-sqs failed to start: ${err && err.stack || err}\n`);
  process.exit(1);
});
