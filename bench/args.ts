/** Small argument helpers shared by the benchmark scripts. */

/** Value after `--name`, or undefined. */
export function argValue(name: string, argv = process.argv): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** True when `--name` is present. */
export function hasFlag(name: string, argv = process.argv): boolean {
  return argv.includes(name);
}

/** "1-5,9,1000-1002" → [1,2,3,4,5,9,1000,1001,1002]. */
export function parseSeedRange(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`bad seed range "${text}"`);
    for (let s = a; s <= (b ?? a); s++) out.push(s);
  }
  return out;
}
