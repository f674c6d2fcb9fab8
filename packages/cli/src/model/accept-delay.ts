/**
 * Servers that keep accepting requests for a while after SIGTERM, by a flag of their own: the wait a
 * preStop sleep would give, done inside the app. Read from the container's command and args:
 * - Traefik `--entryPoints.<name>.transport.lifeCycle.requestAcceptGraceTimeout` (default 0):
 *   "the duration for which Traefik will keep accepting requests before it starts shutting down"
 *   (doc.traefik.io, EntryPoints, lifeCycle); every entry point that sets it, the shortest counting;
 * - the Kubernetes API server library's `--shutdown-delay-duration` (k8s.io/apiserver
 *   ServerRunOptions; metrics-server and other aggregated API servers): the server keeps serving,
 *   /readyz failing, for that long before it stops listening.
 */
import { containerArgv, flagValue } from './argv.js';
import { parseDurationSeconds } from './duration.js';
import type { JsonObject } from './json.js';

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
  return seconds === undefined ? undefined : { seconds, flag: `--shutdown-delay-duration=${apiServer}` };
}
