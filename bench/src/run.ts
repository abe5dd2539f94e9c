/**
 * Benchmark runner: `npm run bench -- <name> [options]`. Each benchmark is a module in this
 * folder exporting `run(args: string[])`; it prints a table and writes JSON to bench/results/.
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  alarms: () => import('./alarms.js'),
  billing: () => import('./billing.js'),
  gateway: () => import('./gateway.js'),
  media: () => import('./media.js'),
  talk: () => import('./talk.js'),
  webrtc: () => import('./webrtc.js'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || !BENCHES[name]) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(2);
}
await (await BENCHES[name]!()).run(args);
process.exit(0);
