/** Entry of a writer's-case child: `node --import tsx/esm writerChild.ts '{"dir","label","presses"}'`; prints one JSON line. */
import { measureWriter } from './writer';

const plan = JSON.parse(process.argv[2] ?? '{}') as { dir: string; label: string; presses: number };
measureWriter(plan.dir, plan.label, plan.presses).then(
  (r) => process.stdout.write(JSON.stringify(r) + '\n'),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
