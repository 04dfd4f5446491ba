import { spawn } from 'node:child_process';
import { Server as HttpServer } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

/**
 * The child's whole program: take the listening handle once, hand it back
 * `count` times (each pass through a Unix socket is a new descriptor of the
 * same socket), then leave when the parent lets go.
 */
const ECHO = `
const count = Number(process.argv[1]);
process.once('message', (_message, handle) => {
  for (let i = 0; i < count; i++) process.send('acceptor', handle, { keepOpen: true });
});
process.once('disconnect', () => process.exit(0));
`;

/** How long the child may take to start and answer before Herald goes on with one acceptor. */
const ECHO_TIMEOUT_MS = 10_000;

/** The listening socket's own libuv handle (not part of Node's typings). */
type ListenHandle = object;

/**
 * Accepts connections on `server`'s listening socket through `count` more
 * descriptors of it, each polled by this event loop, and hands them to the
 * HTTP server as its own.
 *
 * libuv, since 1.45 (Node 20), accepts one connection each time a listening
 * socket is reported ready, so a process accepts at most one connection per
 * turn of its event loop (libuv PR #3696). A busy Herald turns its loop every
 * 5–20 ms: while 500 generations start, about 35 of 50 new streams waited in
 * the kernel's accept queue for 350–650 ms, their first chunks stored before
 * they were in; a 5,000-client reconnect waits the same way. Each extra
 * descriptor is polled on its own, so a turn accepts up to one connection per
 * descriptor from the same queue. Duplicates come from passing the handle to a
 * short-lived child and back, as Node's cluster shares a listener; Node 20's
 * `net` has no `reusePort` or `dup`.
 */
export async function addAcceptors(server: HttpServer, count: number, backlog: number): Promise<NetServer[]> {
  if (count <= 0 || process.platform === 'win32') return [];
  const handle = (server as unknown as { _handle?: ListenHandle })._handle;
  if (!handle) throw new Error('addAcceptors needs a listening server');
  const handles = await duplicates(handle, count);
  const acceptors = handles.map((dup) => {
    const acceptor = new NetServer();
    // A connection accepted here is the HTTP server's, as if its own listener had
    // taken it, and it is counted there: server.close() waits for the server's
    // connections to end (a graceful shutdown), and net.Server knows only its own.
    acceptor.on('connection', (socket: Socket) => {
      moveCount(socket, acceptor, server);
      server.emit('connection', socket);
    });
    acceptor.on('error', (error) => server.emit('error', error));
    acceptor.listen(dup, backlog);
    return acceptor;
  });
  // Whoever stops the listener (SIGTERM's connection registry, Nest's app.close)
  // calls server.close(): it must stop every descriptor, or connections would
  // still be accepted, and the process kept alive, after it.
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    for (const acceptor of acceptors) acceptor.close();
    return close(callback);
  };
  return acceptors;
}

/** Node's own bookkeeping of a server's connections (net.Server `_connections`, a socket's `_server`), moved to `to`. */
function moveCount(socket: Socket, from: NetServer, to: NetServer): void {
  const counted = socket as unknown as { server: NetServer; _server: NetServer };
  (from as unknown as { _connections: number })._connections--;
  (to as unknown as { _connections: number })._connections++;
  counted.server = to;
  counted._server = to;
}

function closeHandle(handle: ListenHandle): void {
  (handle as { close(): void }).close();
}

function duplicates(handle: ListenHandle, count: number): Promise<ListenHandle[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ECHO, String(count)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const received: ListenHandle[] = [];
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no listener descriptors from the helper within ${ECHO_TIMEOUT_MS} ms`)), ECHO_TIMEOUT_MS);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      if (!error) return resolve(received);
      // A descriptor nobody polls would keep the socket listening after server.close(): its clients would hang.
      for (const dup of received) closeHandle(dup);
      reject(error);
    };
    child.on('error', finish);
    child.on('exit', (code) => {
      if (received.length < count) finish(new Error(`the helper exited (code ${code}) after ${received.length} of ${count} descriptors`));
    });
    child.on('message', (message: unknown, dup?: ListenHandle) => {
      if (message !== 'acceptor' || !dup) return;
      if (settled) return closeHandle(dup);
      received.push(dup);
      if (received.length === count) finish();
    });
    child.send('listener', handle as never);
  });
}
