// Preloaded into a Herald process under test (NODE_OPTIONS="--expose-gc --require …/memory-probe.js").
// On SIGWINCH it runs a full garbage collection and prints what the process
// still holds: retained memory, free of the garbage that makes the resident
// size of a busy process swing by tens of megabytes. SIGWINCH because neither
// Node nor Nest's shutdown hooks (which claim SIGUSR2) use it. Production never loads this.
let probe = 0;
process.on('SIGWINCH', () => {
  global.gc();
  const { heapUsed, external, rss } = process.memoryUsage();
  process.stdout.write(`memory-probe ${++probe} heapUsed=${heapUsed} external=${external} rss=${rss}\n`);
});
