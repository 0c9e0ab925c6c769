/** Every multi-flag rule, by the name the table uses in `rule`. */
import type { Rule } from './rule.js';
import { precisionRule } from './precision.js';
import { seqLengthRule } from './seq-length.js';
import { dataPathRule, blendPerSplitRule } from './data-path.js';
import { vppRule, gqaRule } from './model-shape.js';
import { swigluRule, distributedOptimizerRule, mockDataRule } from './simple.js';
import { profilingRule } from './profiling.js';
import { biasFusionRule } from './bias-fusion.js';
import { deepspeedMoeRule } from './deepspeed-moe.js';
import { legacyRopeRule } from './legacy-rope.js';
import { recomputeLayersRule } from './recompute-layers.js';

export const rules: Rule[] = [
  precisionRule,
  seqLengthRule,
  dataPathRule,
  blendPerSplitRule,
  vppRule,
  gqaRule,
  swigluRule,
  distributedOptimizerRule,
  mockDataRule,
  profilingRule,
  biasFusionRule,
  deepspeedMoeRule,
  legacyRopeRule,
  recomputeLayersRule,
];

export type { Rule, RuleContext, RuleResult } from './rule.js';
