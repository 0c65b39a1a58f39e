/**
 * Entry of one benchmark child process: `node --import tsx child.ts '<RunPlan as JSON>'`.
 * Each configuration runs in a fresh process so its peak memory is its own. Prints one line of JSON
 * (RunFigures) on stdout; progress and errors go to stderr.
 */
import type { RunPlan } from './figures';
import { runInkling } from './inklingRun';
import { runPeer } from './peerRun';

const plan = JSON.parse(process.argv[2] ?? '{}') as RunPlan;
try {
  const figures = plan.kind === 'peer' ? await runPeer(plan) : await runInkling(plan);
  process.stdout.write(JSON.stringify(figures) + '\n');
} catch (err) {
  process.stderr.write(`benchmark child (${plan.label}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
