/** "did you mean ...": the closest names by edit distance. */

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Up to `max` names close to `wanted` (names containing it count as close), best first. */
export function closest(wanted: string, names: readonly string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const scored = names.map((name) => {
    const n = name.toLowerCase();
    const contains = n.includes(w) || w.includes(n);
    return { name, score: contains ? Math.abs(n.length - w.length) / 100 : editDistance(w, n) };
  });
  const limit = Math.max(2, Math.floor(w.length / 3));
  const best = Math.min(...scored.map((s) => s.score));
  return scored
    .filter((s) => s.score <= limit && s.score <= best * 2 + 1)
    .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1))
    .slice(0, max)
    .map((s) => s.name);
}

export function didYouMean(wanted: string, names: readonly string[]): string {
  const hits = closest(wanted, names);
  return hits.length ? `; did you mean ${hits.join(', ')}?` : '';
}
