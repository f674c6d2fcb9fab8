/** Every rule, in the order findings are reported at the same position. A new rule is one line here. */

import type { AppConfigRule } from './app-config-rule.js';
import type { DockerfileRule } from './dockerfile-rule.js';
import type { Rule, RuleMeta } from './rule.js';
import { appDrainExceedsBudget } from './rules/app-drain-exceeds-budget.js';
import { awsDeregistrationDelayExceedsPrestop } from './rules/aws-deregistration-delay-exceeds-prestop.js';
import { awsIpTargetReadinessGateMissing } from './rules/aws-ip-target-readiness-gate-missing.js';
import { classicSidecarExitsFirst } from './rules/classic-sidecar-exits-first.js';
import { dockerfileNginxStopsignal } from './rules/dockerfile-nginx-stopsignal.js';
import { dockerfilePackageManagerPid1 } from './rules/dockerfile-package-manager-pid1.js';
import { dockerfileShellForm } from './rules/dockerfile-shell-form.js';
import { dockerfileSigtermUnhandled } from './rules/dockerfile-sigterm-unhandled.js';
import { entrypointMissingExec } from './rules/entrypoint-missing-exec.js';
import { gkeConnectionDrainingMismatch } from './rules/gke-connection-draining-mismatch.js';
import { gracePeriodBelowWorkload } from './rules/grace-period-below-workload.js';
import { gracePeriodCappedByPolicy } from './rules/grace-period-capped-by-policy.js';
import { gracePeriodDefaultTooLow } from './rules/grace-period-default-too-low.js';
import { gracePeriodExceeded } from './rules/grace-period-exceeded.js';
import { ingressNginxControllerShutdown } from './rules/ingress-nginx-controller-shutdown.js';
import { ingressNginxNoRetry } from './rules/ingress-nginx-no-retry.js';
import { istioSidecarExitsFirst } from './rules/istio-sidecar-exits-first.js';
import { keepaliveUpstreamOutlivesApp } from './rules/keepalive-upstream-outlives-app.js';
import { linkerdProxyExitsFirst } from './rules/linkerd-proxy-exits-first.js';
import { livenessEqualsReadiness } from './rules/liveness-equals-readiness.js';
import { nginxFastShutdown } from './rules/nginx-fast-shutdown.js';
import { prestopExecSleepInShellLessImage } from './rules/prestop-exec-sleep-in-shell-less-image.js';
import { prestopExecSleepPreferNative } from './rules/prestop-exec-sleep-prefer-native.js';
import { prestopMissing } from './rules/prestop-missing.js';
import { prestopSleepActionUnsupported } from './rules/prestop-sleep-action-unsupported.js';
import { prestopSleepOutOfRange } from './rules/prestop-sleep-out-of-range.js';
import { publishNotReadyAddresses } from './rules/publish-not-ready-addresses.js';
import { readinessProbeMissing } from './rules/readiness-probe-missing.js';
import { rollingUpdateUnavailable } from './rules/rolling-update-unavailable.js';
import { rolloutScaleDownDelayTooShort } from './rules/rollout-scale-down-delay-too-short.js';
import { shellWrappedCommand } from './rules/shell-wrapped-command.js';
import { singleReplica } from './rules/single-replica.js';
import { springGracefulShutdownOff } from './rules/spring-graceful-shutdown-off.js';
import { stopSignalUnsupported } from './rules/stop-signal-unsupported.js';
import { uwsgiSigtermReloads } from './rules/uwsgi-sigterm-reloads.js';

export const RULES: readonly Rule[] = [
  prestopMissing,
  prestopExecSleepInShellLessImage,
  prestopSleepActionUnsupported,
  prestopExecSleepPreferNative,
  prestopSleepOutOfRange,
  gracePeriodExceeded,
  gracePeriodDefaultTooLow,
  gracePeriodBelowWorkload,
  gracePeriodCappedByPolicy,
  readinessProbeMissing,
  livenessEqualsReadiness,
  rollingUpdateUnavailable,
  singleReplica,
  publishNotReadyAddresses,
  nginxFastShutdown,
  istioSidecarExitsFirst,
  linkerdProxyExitsFirst,
  awsDeregistrationDelayExceedsPrestop,
  awsIpTargetReadinessGateMissing,
  gkeConnectionDrainingMismatch,
  keepaliveUpstreamOutlivesApp,
  ingressNginxNoRetry,
  ingressNginxControllerShutdown,
  classicSidecarExitsFirst,
  rolloutScaleDownDelayTooShort,
  stopSignalUnsupported,
  shellWrappedCommand,
];

export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  dockerfileShellForm,
  dockerfilePackageManagerPid1,
  dockerfileSigtermUnhandled,
  entrypointMissingExec,
  dockerfileNginxStopsignal,
];

export const APP_CONFIG_RULES: readonly AppConfigRule[] = [
  springGracefulShutdownOff,
  appDrainExceedsBudget,
  uwsgiSigtermReloads,
];

export const ALL_RULES: readonly RuleMeta[] = [...RULES, ...DOCKERFILE_RULES, ...APP_CONFIG_RULES];
