// Drives the official openvidu-node-client 2.32.2 against the emulator.
// Usage: node Node/node-client.mjs <openviduUrl> <secret> <customSessionId>
// Prints one line "@@{"phase":"ready",...}" (the client logs to stdout too), waits for a line on stdin (the test joins some tokens
// meanwhile), then prints {"phase":"done",...} and exits 0. Any failure prints {"phase":"error"} and exits 1.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const { OpenVidu, OpenViduRole } = require('openvidu-node-client');

const [, , url, secret, customSessionId] = process.argv;
const print = (obj) => process.stdout.write('@@' + JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

try {
  const ov = new OpenVidu(url, secret);

  const session = await ov.createSession({ customSessionId });
  const again = await ov.createSession({ customSessionId }); // 409 → the client fetches it, no error
  const connections = {};
  for (const role of [OpenViduRole.SUBSCRIBER, OpenViduRole.PUBLISHER, OpenViduRole.MODERATOR]) {
    const c = await session.createConnection({ role, data: `data-${role}` });
    connections[role] = { connectionId: c.connectionId, token: c.token, status: c.status, role: c.connectionProperties.role, data: c.connectionProperties.data };
  }

  print({
    phase: 'ready',
    sessionId: session.sessionId,
    createdAt: session.createdAt,
    againSessionId: again.sessionId,
    againCreatedAt: again.createdAt,
    connections,
  });
  await nextLine();

  const changed = await session.fetch();
  const active = session.activeConnections.map((c) => ({ connectionId: c.connectionId, status: c.status, platform: c.platform, clientData: c.clientData, serverData: c.serverData, role: c.role }));
  const allSessionsChanged = await ov.fetch();

  const publisher = session.connections.find((c) => c.connectionId === connections.PUBLISHER.connectionId);
  await session.forceDisconnect(publisher);
  const afterDisconnect = session.activeConnections.map((c) => c.connectionId);

  const signal = await fetch(`${url}/openvidu/api/signal`, {
    method: 'POST',
    headers: { Authorization: 'Basic ' + Buffer.from(`OPENVIDUAPP:${secret}`).toString('base64'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ session: session.sessionId, type: 'signal:chat', data: 'from node' }),
  });

  await session.close();
  await ov.fetch(); // rebuilds activeSessions from GET /sessions
  let createAfterClose;
  try {
    await session.createConnection({});
    createAfterClose = 'resolved';
  } catch (e) {
    createAfterClose = String(e && e.message);
  }

  print({
    phase: 'done',
    changed,
    active,
    allSessionsChanged,
    afterDisconnect,
    signalStatus: signal.status,
    activeSessionsAfterClose: ov.activeSessions.length,
    createAfterClose,
  });
  process.exit(0);
} catch (e) {
  print({ phase: 'error', message: String(e && e.message), stack: String(e && e.stack) });
  process.exit(1);
}
