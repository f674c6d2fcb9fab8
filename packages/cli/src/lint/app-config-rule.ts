/** Rules over application server settings, checked against the budgets of the containers they run in. */
import { dirname } from 'node:path';
import type { AppConfigSource, AppSettings } from '../app-config/settings.js';
import type { DockerfileFacts } from '../dockerfile/facts.js';
import type { LocatedContext } from './context.js';
import type { RuleMessage } from './messages.js';
import type { RuleMeta } from './rule.js';

export interface ContainerBudget {
  readonly workload: string;
  readonly container: string;
  readonly graceSeconds: number;
  readonly preStopSeconds: number;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly windowSeconds: number;
}

export interface AppConfigContext {
  readonly file: string;
  readonly text: string;
  readonly settings: AppSettings;
  readonly springBootVersion?: string;
  /** Containers whose image is built from the Dockerfile of the directory holding this file. */
  readonly containers: readonly ContainerBudget[];
}

export interface AppConfigFinding extends RuleMessage {
  readonly line: number;
  readonly fix: string;
}

export interface AppConfigRule extends RuleMeta {
  check(context: AppConfigContext): AppConfigFinding[];
}

/** The Dockerfile whose directory is the nearest ancestor of `file`: the service it belongs to. */
function owningDockerfile(
  file: string,
  dockerfiles: readonly DockerfileFacts[],
): DockerfileFacts | undefined {
  return dockerfiles
    .filter((d) => `${dirname(file)}/`.startsWith(`${dirname(d.file)}/`))
    .sort((a, b) => dirname(b.file).length - dirname(a.file).length)[0];
}

export function appConfigContexts(
  sources: readonly AppConfigSource[],
  dockerfiles: readonly DockerfileFacts[],
  workloads: readonly LocatedContext[],
): AppConfigContext[] {
  return sources.map((source) => {
    const dockerfile = owningDockerfile(source.file, dockerfiles);
    const containers: ContainerBudget[] = [];
    for (const { context } of dockerfile ? workloads : []) {
      for (const { container, budget } of context.analysis.containers) {
        const image = typeof container.spec.image === 'string' ? container.spec.image : '';
        if (container.role !== 'main' || context.dockerfileFor(image)?.facts !== dockerfile) continue;
        if (budget.drainWindowSeconds === undefined || budget.sigtermAt === undefined) continue;
        containers.push({
          workload: `${context.kind} ${context.name}`,
          container: container.name,
          graceSeconds: budget.graceSeconds,
          preStopSeconds: budget.sigtermAt,
          windowSeconds: budget.drainWindowSeconds,
        });
      }
    }
    return { ...source, containers };
  });
}
