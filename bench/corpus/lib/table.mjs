// The per-repository markdown table and the cause summary that measure.mjs prints.
const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '–');

export function renderTable(results) {
  const withVerify = Boolean(results.verify);
  const withVerdicts = results.total.ready + results.total.review + results.total.blocked > 0;
  const header = ['repository', 'scripts (+neg.)', 'changed', 'no launch ran', 'launches run', 'migrated', 'not migr.: reported / unreported / vanished',
    'migrated: with strays / clean',
    'mappable values', 'arrived', 'lost (reported)', 'strays (flags)', '"$@"/positional words', 'changed w/o launch: text / run',
    'bash -n regr.', '2nd run changes', 'negatives changed', ...(withVerdicts ? ['verdicts: ready / review / blocked'] : []),
    ...(withVerify ? ['starts', 'fails (not blocked / of which the original is invalid too)', 'starts, value differs', 'starts where the original is valid'] : [])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, index) => (index ? '---:' : '---')).join('|')}|`];
  for (const stats of [...results.repos, results.total]) {
    const name = stats.repo === 'total' ? '**total**' : stats.repo;
    const cells = [
      name, `${stats.scripts}${stats.negatives ? ` (+${stats.negatives})` : ''}`, stats.changed, stats.noLaunchReached, stats.launches, stats.migrated,
      `${stats.reportedNotMigrated} / ${stats.unreportedNotMigrated} / ${stats.vanished}`,
      `${stats.launchesWithStrays} / ${stats.launchesClean}`,
      stats.mappable, `${stats.arrived} (${percent(stats.arrived, stats.mappable)})`, `${stats.lost} (${stats.lostReported})`,
      `${stats.strays} (${stats.strayFlags})`, stats.forwarded,
      `${stats.changedNoLaunchText} / ${stats.changedNoLaunchExecuted}`, stats.bashRegressions, stats.notIdempotent,
      `${stats.negativesChanged}/${stats.negativeValues}`,
      ...(withVerdicts ? [`${stats.ready} / ${stats.review} / ${stats.blocked}`] : []),
      ...(withVerify ? [`${stats.starts} (${percent(stats.starts, stats.migrated)})`, `${stats.fails} (${stats.failsNotBlocked} / ${stats.failsNotBlockedStandIn})`, stats.startsWithMismatch, `${stats.startsOriginalValid} / ${stats.originalValid} (${percent(stats.startsOriginalValid, stats.originalValid)})`] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const causes = (title, groups) => {
    const entries = Object.entries(groups);
    if (!entries.length) return [];
    return ['', `${title}:`, ...entries.slice(0, 12).map(([cause, group]) => `- ${cause}: ${group.count}`)];
  };
  lines.push(...causes('lost values by cause', results.lost));
  lines.push(...causes('stray words by cause', results.strays));
  lines.push(...causes('launches not migrated', results.notMigrated));
  if (withVerify) {
    if (results.verify.ready && results.verify.ready.ready === false) lines.push('', `verifier not ready: ${results.verify.ready.error}`);
    lines.push(...causes('would not start (verifier), by message', results.verifyFailures));
    lines.push(...causes('started, but a value differs from Megatron-LM\'s (verifier), by flag', results.verifyMismatches));
  }
  lines.push('', `tool source at ${results.tool.commit ?? results.tool.dir}${results.tool.dirty ? ' (uncommitted changes)' : ''}; `
    + `${results.capture.runs} captures executed, ${results.capture.hits} from cache; ${results.seconds}s`);
  return lines.join('\n');
}
