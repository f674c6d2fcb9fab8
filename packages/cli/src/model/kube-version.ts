/**
 * Kubernetes minor versions and the feature gates that change pod termination.
 * Stages and versions come from the KEPs' kep.yaml files and the feature-gate pages
 * (see docs/kubernetes-semantics.md for each source).
 */

export interface KubeVersion {
  readonly major: number;
  readonly minor: number;
}

/** Accepts "1.31", "v1.31.2", "1.31.0-eks-4f4795d". */
export function parseKubeVersion(text: string): KubeVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function formatKubeVersion(version: KubeVersion): string {
  return `${version.major}.${version.minor}`;
}

export function compareKubeVersions(a: KubeVersion, b: KubeVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

export function atLeast(version: KubeVersion, minimum: string): boolean {
  const parsed = parseKubeVersion(minimum);
  if (!parsed) throw new Error(`not a Kubernetes version: ${minimum}`);
  return compareKubeVersions(version, parsed) >= 0;
}

export type FeatureStage = 'unavailable' | 'alpha' | 'beta' | 'ga';

export interface FeatureGate {
  readonly name: string;
  readonly alpha: string;
  readonly beta?: string;
  readonly ga?: string;
  readonly source: string;
}

export const FEATURES = {
  /** lifecycle.preStop.sleep: the kubelet sleeps, no binary needed in the image. */
  sleepAction: {
    name: 'PodLifecycleSleepAction',
    alpha: '1.29',
    beta: '1.30',
    ga: '1.34',
    source: 'KEP-3960',
  },
  /** lifecycle.preStop.sleep.seconds: 0 */
  sleepActionAllowZero: {
    name: 'PodLifecycleSleepActionAllowZero',
    alpha: '1.32',
    beta: '1.33',
    ga: '1.34',
    source: 'KEP-4818',
  },
  /** lifecycle.stopSignal; requires spec.os.name. Beta is only a target in the KEP, not a release. */
  stopSignals: { name: 'ContainerStopSignals', alpha: '1.33', source: 'KEP-4960' },
  /** initContainers with restartPolicy: Always */
  sidecarContainers: {
    name: 'SidecarContainers',
    alpha: '1.28',
    beta: '1.29',
    ga: '1.33',
    source: 'KEP-753',
  },
} as const satisfies Record<string, FeatureGate>;

export function featureStage(feature: FeatureGate, version: KubeVersion): FeatureStage {
  if (feature.ga && atLeast(version, feature.ga)) return 'ga';
  if (feature.beta && atLeast(version, feature.beta)) return 'beta';
  if (atLeast(version, feature.alpha)) return 'alpha';
  return 'unavailable';
}

/** Alpha gates are off unless the cluster operator turned them on; beta and GA are on. */
export function enabledByDefault(feature: FeatureGate, version: KubeVersion): boolean {
  const stage = featureStage(feature, version);
  return stage === 'beta' || stage === 'ga';
}

/** The first minor version in which the feature is on by default. */
export function firstDefaultVersion(feature: FeatureGate): string | undefined {
  return feature.beta ?? feature.ga;
}

/**
 * Assumed when the user names no version: 1.30 is the oldest minor with the native sleep action
 * on by default, so recommendations made for it hold on every newer cluster.
 */
export const DEFAULT_KUBE_VERSION: KubeVersion = { major: 1, minor: 30 };
