/**
 * The command line: commander wiring, exit codes (0 ok, 1 findings or failed verdict, 2 usage or
 * input error) and the promise that bad input never shows a stack trace.
 */
import { basename } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerCollect } from './commands/collect.js';
import { registerFix } from './commands/fix.js';
import { registerLab } from './commands/lab.js';
import { registerLint } from './commands/lint.js';
import { registerPlan } from './commands/plan.js';
import { registerVerify } from './commands/verify.js';
import { BUG_REPORT_URL, EXIT, InputError, UsageError } from './output/errors.js';
import type { Io } from './output/io.js';
import { VERSION } from './version.js';

/** Invoked as kubectl-lameduck, kubectl shows it as `kubectl lameduck`. */
export function programName(argv1: string | undefined): string {
  return argv1 && basename(argv1).startsWith('kubectl-') ? 'kubectl lameduck' : 'lameduck';
}

export async function main(args: readonly string[], io: Io, name = 'lameduck'): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command(name)
    .description('Kubernetes pod termination that loses zero requests')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const setExit = (code: number) => {
    exitCode = code;
  };
  registerPlan(program, io, setExit);
  registerLint(program, io, setExit);
  registerFix(program, io, setExit);
  registerLab(program, io, setExit);
  registerVerify(program, io, setExit);
  registerCollect(program, io, setExit);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const clean =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help';
      return clean ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      io.stderr.write(`${name}: ${error.format()}\n`);
      return EXIT.usage;
    }
    io.stderr.write(
      `${name}: internal error, this is a bug in lameduck; please report it at ${BUG_REPORT_URL}\n${(error as Error).stack ?? String(error)}\n`,
    );
    return EXIT.usage;
  }
}
