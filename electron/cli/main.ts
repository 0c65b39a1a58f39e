/**
 * `inkling` — the command line over the same engine the app uses.
 * Every command prints a sentence a user can act on to stderr and exits non-zero when it fails.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerBenchCommand } from './commands/bench';
import { registerEvalCommand } from './commands/eval';
import { registerModelCommands } from './commands/models';
import { registerPullCommand } from './commands/pull';
import { registerRunCommands } from './commands/run';
import { registerServeCommand } from './commands/serve';

export function intArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function numArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    }
    return n;
  };
}

const program = new Command('inkling')
  .description('Inkling: GPT-2 on your own machine — convert models, generate and score text.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerModelCommands(program);
registerRunCommands(program);
registerBenchCommand(program);
registerPullCommand(program);
registerServeCommand(program);
registerEvalCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help text).
    process.exitCode = err.exitCode;
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`inkling: ${message}\n`);
    if (process.env.INKLING_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  }
}
