#!/usr/bin/env node
'use strict';
/**
 * jscodeshift with bridge-migrate's transform and defaults: `--no-babel`, `-t` this package's
 * transform, `--extensions=sh,bash,slurm,sbatch` (each unless given), and the CLI's boolean
 * spelling made safe: jscodeshift reads an unknown `--no-x` followed by a path as `--no-x <path>`
 * (the path is lost), so `--no-pin-defaults` is passed on as `--pin-defaults=false`. Every other
 * argument goes to jscodeshift unchanged. jscodeshift itself comes from the project that runs
 * this (or from this package's own dependencies).
 */
const path = require('node:path');

const TRANSFORM = path.join(__dirname, '..', 'transforms', 'megatron-to-bridge.cjs');
const BOOLEANS = { '--no-pin-defaults': '--pin-defaults=false' };

function jscodeshiftBin() {
  for (const from of [process.cwd(), __dirname]) {
    try {
      return require.resolve('jscodeshift/bin/jscodeshift.js', { paths: [from] });
    } catch {
      // try the next place
    }
  }
  process.stderr.write('bridge-migrate-jscodeshift: jscodeshift is not installed here; `npm install --save-dev jscodeshift`, or use the bridge-migrate CLI\n');
  process.exit(2);
}

const given = process.argv.slice(2).map((a) => BOOLEANS[a] ?? a);
const has = (...names) => given.some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
const defaults = [];
if (!has('--babel', '--no-babel')) defaults.push('--no-babel');
if (!has('-t', '--transform')) defaults.push('-t', TRANSFORM);
if (!has('--extensions')) defaults.push('--extensions=sh,bash,slurm,sbatch');
process.argv = [process.argv[0], jscodeshiftBin(), ...defaults, ...given];
require(process.argv[1]);
