/**
 * The command line: commander wiring, exit codes (0 ok, 1 findings or failed verdict, 2 usage or
 * input error) and the promise that bad input never shows a stack trace.
 */
import { basename } from 'node:path';
import { Command, CommanderError } from 'commander';
import { BUG_REPORT_URL, EXIT, InputError, UsageError } from './output/errors.js';
import type { Io } from './output/io.js';
import { VERSION } from './version.js';

type Register = (program: Command, io: Io, setExit: (code: number) => void) => void;

/**
 * Each command's module, loaded only when needed: `lameduck lint` should not pay for loading the
 * lab, the cluster client and tar (about 0.1 s of a CLI that CI runs on every push).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  fix: async () => (await import('./commands/fix.js')).registerFix,
  lab: async () => (await import('./commands/lab.js')).registerLab,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  collect: async () => (await import('./commands/collect.js')).registerCollect,
};

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
  // The command asked for, or all of them for help, a bare `lameduck` and unknown commands.
  const named = args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? [args[0]] : Object.keys(COMMANDS);
  for (const command of named) (await (COMMANDS[command] as () => Promise<Register>)())(program, io, setExit);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const clean =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help';
      if (error.code === 'commander.unknownOption') {
        const hint = dashDashHint(args, program);
        if (hint) io.stderr.write(`${name} ${hint}\n`);
      }
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

/**
 * `lameduck lab node server.mjs --inspect`: the replica's own options were read as lab's. When an
 * unknown option follows what looks like the replica's command, say where the command goes.
 */
function dashDashHint(args: readonly string[], program: Command): string | undefined {
  const lab = program.commands.find((c) => c.name() === 'lab');
  if (args[0] !== 'lab' || !lab || args.includes('--')) return undefined;
  const takesValue = new Set(
    lab.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean)),
  );
  const rest = args.slice(1);
  const commandAt = rest.findIndex((arg, i) => !arg.startsWith('-') && !takesValue.has(rest[i - 1]));
  if (commandAt < 0) return undefined;
  const command = rest.slice(commandAt).join(' ');
  const flags = rest.slice(0, commandAt).join(' ');
  return `lab: the command that starts a replica goes after --, so that its own options are not read as lab's: lameduck lab ${flags ? `${flags} ` : ''}-- ${command}`;
}
