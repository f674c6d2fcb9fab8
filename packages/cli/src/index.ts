/** The termination model and loaders, for tools that build on lameduck. */

export { loadManifests } from './manifests/load.js';
export * from './model/analyze.js';
export * from './model/budget.js';
export * from './model/changes.js';
export * from './model/grace.js';
export * from './model/guide-tables.js';
export * from './model/kube-version.js';
export * from './model/prestop.js';
export * from './model/recommendations.js';
export * from './model/rolling-update.js';
export * from './model/timeline.js';
export * from './model/workloads.js';
export { buildPlans, type PlanOptions, type WorkloadPlan } from './plan/build.js';
export { PLAN_SCHEMA_VERSION, planJson } from './plan/json.js';
