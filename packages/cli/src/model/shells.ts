/**
 * Which shell runs `sh -c "<script>"`, and whether it replaces itself with the script's last
 * command. If it does, that command is PID 1 and gets the kubelet's SIGTERM; if not, the shell stays
 * PID 1 in front of it and SIGTERM stops there. Measured against the real shells
 * (shells.fidelity.test.ts):
 * - dash (0.5.12, /bin/sh on Debian and Ubuntu) never execs from -c, not even a lone command;
 * - busybox ash (1.35, /bin/sh on Alpine) execs the last command, after `;`, `&&` or inside `if`,
 *   but not after a `trap`;
 * - bash (5.1 and later) execs the last command of a plain list, not one inside `if`, nor one
 *   with a redirection, nor after a `trap`;
 * - none of them execs into a pipeline.
 */

export type Shell = 'dash' | 'busybox' | 'bash';

/** An image reference's last path segment and its tag. */
export function imageParts(image: string): { name: string; tag: string } {
  const [path = '', tag = ''] = image.split('@')[0]?.split(/:(?=[^/]*$)/) ?? [];
  return { name: path.split('/').at(-1) ?? '', tag };
}

/** Official images built on Debian unless their tag says otherwise (alpine, windowsservercore). */
const DEBIAN_BASED =
  /^(?:debian|ubuntu|node|python|golang|ruby|php|perl|rust|nginx|httpd|openjdk|eclipse-temurin|maven|gradle|buildpack-deps|elixir|erlang|haskell|julia|r-base|swift|gcc|dotnet|aspnet|runtime|sdk)$/;
/** Distributions whose /bin/sh is bash. */
const BASH_AS_SH =
  /^(?:ubi\d*(?:-(?:minimal|micro|init))?|centos|fedora|rockylinux|almalinux|amazonlinux|oraclelinux|rhel\d*)$/;

/** The shell that `/bin/sh` is in an image, as far as its name says; undefined when it does not. */
export function imageShell(image: string | undefined): Shell | undefined {
  if (!image) return undefined;
  const { name, tag } = imageParts(image);
  if (name === 'busybox' || name === 'alpine' || /(?:^|[-.])alpine/.test(tag)) return 'busybox';
  if (BASH_AS_SH.test(name)) return 'bash';
  if (DEBIAN_BASED.test(name)) return 'dash';
  return undefined;
}

/** The shell a program is: by its own name, or, for `sh`, the image's /bin/sh. */
export function shellOf(program: string, image: string | undefined): Shell | undefined {
  const name = program.split('/').at(-1);
  if (name === 'bash') return 'bash';
  if (name === 'dash') return 'dash';
  if (name === 'ash') return 'busybox';
  return name === 'sh' ? imageShell(image) : undefined;
}

/** The script with what is inside its quotes emptied: `nginx -g "daemon off;"` has no `;` of the shell's. */
export function withoutQuotes(script: string): string {
  // Same length, so a position in the result is the same position in the script.
  return script.replace(
    /'[^']*'|"(?:\\.|[^"\\])*"/g,
    (quoted) => `${quoted[0]}${' '.repeat(quoted.length - 2)}${quoted.at(-1)}`,
  );
}

/** The commands of a shell script, split on `;`, `&&`, `||` and newlines outside quotes. */
export function scriptCommands(script: string): string[] {
  const bare = withoutQuotes(script);
  const commands: string[] = [];
  let start = 0;
  for (const separator of bare.matchAll(/;|&&|\|\||\n/g)) {
    commands.push(script.slice(start, separator.index));
    start = separator.index + separator[0].length;
  }
  commands.push(script.slice(start));
  return commands.map((command) => command.trim()).filter(Boolean);
}

/** `a | b`, but not `a || b`. */
export const PIPELINE = /(^|[^|])\|([^|]|$)/;
const COMPOUND =
  /(?:^|[\s;&|(])(?:if|then|else|elif|fi|for|while|until|do|done|case|esac)(?=$|[\s;&|)])|[{}()]/;

const REDIRECTION = /[<>]/;
const TRAP = /(?:^|[\s;&|])trap\s/;

/** Whether `shell -c script` replaces the shell with the script's last command. */
export function execsLastCommand(shell: Shell, script: string): boolean {
  const bare = withoutQuotes(script);
  // A trap needs the shell alive to run it.
  if (shell === 'dash' || PIPELINE.test(bare) || TRAP.test(bare)) return false;
  if (shell === 'busybox') return true;
  const last = scriptCommands(bare).at(-1) ?? '';
  return !COMPOUND.test(bare) && !REDIRECTION.test(last);
}
