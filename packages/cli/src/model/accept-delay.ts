/**
 * Servers that keep accepting requests for a while after SIGTERM, by a flag of their own: the wait a
 * preStop sleep would give, done inside the app. Read from the container's command and args:
 * - Traefik `--entryPoints.<name>.transport.lifeCycle.requestAcceptGraceTimeout` (default 0):
 *   "the duration for which Traefik will keep accepting requests before it starts shutting down"
 *   (doc.traefik.io, EntryPoints, lifeCycle); every entry point that sets it, the shortest counting;
 * - the Kubernetes API server library's `--shutdown-delay-duration` (k8s.io/apiserver
 *   ServerRunOptions; metrics-server and other aggregated API servers): the server keeps serving,
 *   /readyz failing, for that long before it stops listening;
 * - Gatekeeper's `--shutdown-delay` (whole seconds, default 10, from v3.20.0): on SIGTERM it waits
 *   that long before it stops its webhook server, "to give K8s Services time to disconnect the Pod
 *   endpoint" (open-policy-agent/gatekeeper main.go; controller-runtime issue 3113). Its default
 *   applies with no flag written, so the image says it.
 */
import { containerArgv, flagValue } from './argv.js';
import { parseDurationSeconds } from './duration.js';
import { getString, type JsonObject } from './json.js';
import { imageParts } from './shells.js';

export interface AcceptDelay {
  readonly seconds: number;
  /** The flag as written, for the finding to quote. */
  readonly flag: string;
}

const TRAEFIK_ACCEPT_GRACE =
  /^--entry[pP]oints\.[^.=]+\.transport\.life[cC]ycle\.request[aA]ccept[gG]race[tT]imeout=(.+)$/;

export function acceptDelay(container: JsonObject): AcceptDelay | undefined {
  const argv = containerArgv(container);
  const traefik = argv
    .map((word) => ({ word, value: TRAEFIK_ACCEPT_GRACE.exec(word)?.[1] }))
    .flatMap(({ word, value }) => {
      const seconds = value === undefined ? undefined : parseDurationSeconds(value);
      return seconds === undefined ? [] : [{ seconds, flag: word }];
    })
    .sort((a, b) => a.seconds - b.seconds)[0];
  if (traefik) return traefik;
  const apiServer = flagValue(argv, '--shutdown-delay-duration');
  const seconds = apiServer === undefined ? undefined : parseDurationSeconds(apiServer);
  if (seconds !== undefined) return { seconds, flag: `--shutdown-delay-duration=${apiServer}` };
  return gatekeeperDelay(getString(container, ['image']) ?? '', argv);
}

function gatekeeperDelay(image: string, argv: readonly string[]): AcceptDelay | undefined {
  if (!/(?:^|\/)openpolicyagent\/gatekeeper(?:[:@]|$)/.test(image)) return undefined;
  // v3.20.0 and later; a tag that is no version (latest, a digest) is taken as a current image.
  const version = /^v?(\d+)\.(\d+)\.\d+(-\S+)?$/.exec(imageParts(image).tag);
  if (version) {
    const [major, minor] = [Number(version[1]), Number(version[2])];
    if (major < 3 || (major === 3 && (minor < 20 || (minor === 20 && version[3] !== undefined))))
      return undefined;
  }
  const written = flagValue(argv, '--shutdown-delay');
  const seconds = written === undefined ? 10 : Number(written);
  if (!Number.isFinite(seconds)) return undefined;
  return {
    seconds,
    flag:
      written === undefined
        ? "Gatekeeper's --shutdown-delay (10 s by default)"
        : `--shutdown-delay=${written}`,
  };
}
