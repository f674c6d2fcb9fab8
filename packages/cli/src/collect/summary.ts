/** SUMMARY.md: what a person reads first when the bundle arrives. Pure. */
import type { Finding } from '../lint/engine.js';
import type { Report } from '../report/build.js';
import type { Evidence } from './gather.js';

export interface SummaryInput {
  readonly evidence: Evidence;
  readonly clientVersion: string;
  /** kubectl's version, when it is installed where collect ran. */
  readonly kubectlVersion: string | undefined;
  readonly findings: readonly Finding[];
  readonly verify: Report | undefined;
  readonly files: readonly string[];
}

export function renderSummary({
  evidence,
  clientVersion,
  kubectlVersion,
  findings,
  verify,
  files,
}: SummaryInput): string {
  const e = evidence;
  const lines: string[] = [];
  lines.push(`# Termination evidence: ${e.workloadName} in ${e.namespace}`, '');
  lines.push(
    `Collected ${e.collectedAt} by lameduck ${clientVersion}. Secrets are not collected; environment values and token-like strings are redacted.`,
    '',
  );
  lines.push('## Cluster', '');
  lines.push(`- Kubernetes server: ${e.server.gitVersion ?? 'unknown'} (${e.server.address})`);
  lines.push(`- Clients: lameduck ${clientVersion}, kubectl ${kubectlVersion ?? 'not installed here'}`);
  lines.push(
    `- Nodes: ${e.nodes.count ?? 'unknown'}${e.nodes.kubeletVersions.length ? `, kubelet ${e.nodes.kubeletVersions.join(', ')}` : ''}`,
  );
  lines.push(
    `- Ingress classes: ${e.ingress.classes.map((c) => `${c.name} (${c.controller ?? '?'})`).join(', ') || 'none found'}`,
  );
  lines.push(
    `- Ingress controllers and meshes: ${e.ingress.controllers.map((c) => `${c.kind} ${c.image} (${c.namespace}/${c.name})`).join(', ') || 'none found'}`,
  );
  const meshImages = [...new Set(e.mesh.map((m) => `${m.container} ${m.image}`))];
  lines.push(`- Service mesh sidecars in the workload's pods: ${meshImages.join(', ') || 'none'}`, '');

  lines.push('## Termination settings', '');
  lines.push(`- terminationGracePeriodSeconds: ${e.graceSeconds}`);
  lines.push(`- Services selecting the pods: ${e.services.join(', ') || 'none'}`);
  for (const c of e.containers) {
    const probes = [
      c.readinessProbe && 'readiness',
      c.livenessProbe && 'liveness',
      c.startupProbe && 'startup',
    ].filter(Boolean);
    lines.push(
      `- container ${c.name} (${c.image ?? '?'}): preStop ${c.preStop}; probes: ${probes.join(', ') || 'none'}${c.stopSignal ? `; stopSignal ${c.stopSignal}` : ''}`,
    );
  }
  lines.push('');

  lines.push('## Recent terminations', '');
  const killed = e.pods.flatMap((p) =>
    p.containers.filter((c) => c.lastExitCode === 137).map((c) => `${p.name}/${c.name}`),
  );
  lines.push(`- Containers whose last exit was 137 (SIGKILL): ${killed.join(', ') || 'none'}`);
  const failedHooks = e.events.filter((ev) => ev.reason === 'FailedPreStopHook');
  lines.push(`- FailedPreStopHook events: ${failedHooks.length}`);
  for (const ev of e.events.slice(0, 20)) {
    lines.push(`  - ${ev.last ?? ''} ${ev.pod} ${ev.reason} (x${ev.count}): ${ev.message}`);
  }
  lines.push('');

  lines.push('## lameduck lint on the live objects', '');
  if (findings.length === 0) lines.push('No findings.');
  for (const f of findings) lines.push(`- ${f.severity} ${f.rule}: ${f.message}`);
  lines.push('');

  if (verify) {
    lines.push('## Rolling restart under load (lameduck verify)', '');
    lines.push(
      `- ${verify.verdict.toUpperCase()}: ${verify.requests.total} requests, ${verify.requests.failed} failed; p99 ${verify.latencyMs.p99} ms`,
    );
    for (const d of verify.diagnosis) lines.push(`- ${d.message} → ${d.advice}`);
    if (verify.measured?.recommendedPreStopSeconds !== undefined) {
      lines.push(
        `- Measured: preStop sleep of ${verify.measured.recommendedPreStopSeconds} s (${verify.measured.basis})`,
      );
    }
    lines.push('');
  }

  if (e.notes.length > 0) {
    lines.push('## Not collected', '');
    for (const note of e.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  lines.push('## Files', '');
  for (const file of files) lines.push(`- ${file}`);
  return `${lines.join('\n')}\n`;
}
