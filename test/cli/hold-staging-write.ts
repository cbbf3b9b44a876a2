/**
 * Preloaded into a CLI child process by the signal tests (`node --import tsx --import ./test/cli/hold-staging-write.ts
 * src/cli/main.ts …`): the first file opened inside a staging folder waits until the process receives SIGINT or
 * SIGTERM, and says so on stderr (`test.holding`, a JSON line like the log's). So the signal always arrives while the
 * run holds its lock and has a staging folder, whatever the speed of the machine.
 */
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const open = fs.open;
let held = false;
fs.open = (async (...args: Parameters<typeof open>) => {
  const path = String(args[0]);
  if (!held && path.includes('.staging')) {
    held = true;
    const alive = setInterval(() => {}, 1000); // a signal listener alone does not keep the process running
    const signalled = new Promise<void>((resolve) => {
      const go = () => (clearInterval(alive), resolve());
      process.once('SIGINT', go);
      process.once('SIGTERM', go);
    });
    process.stderr.write(JSON.stringify({ level: 'info', time: new Date().toISOString(), event: 'test.holding', path }) + '\n');
    await signalled;
  }
  return open(...args);
}) as typeof open;
// `import { open } from 'node:fs/promises'` elsewhere sees the wrapper
syncBuiltinESMExports();
