import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateJams } from '../../shared/jams/validate.js';
import { main } from '../../cli/main.js';

describe('stemflow demo (the README\'s first command)', () => {
  it('renders a song with truth, analyses it back to the truth tempo and key, and fits seven stems to it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'stemflow-demo-'));
    const stdout: string[] = [];
    const code = await main(['demo', '--out', out, '--seed', '7'], { stdout: (t) => stdout.push(t), stderr: () => {}, isTTY: false });
    expect(code).toBe(0);
    for (const f of ['song/mix.wav', 'song/truth.jams', 'result/analysis/annotation.jams', ...['vocals', 'drums', 'bass', 'other'].map((s) => `result/stems/${s}.wav`)]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    for (const s of ['drums', 'bass', 'guitar', 'piano', 'synth', 'vocals', 'other']) expect(existsSync(join(out, 'generated', `${s}.wav`))).toBe(true);
    expect(validateJams(JSON.parse(readFileSync(join(out, 'result/analysis/annotation.jams'), 'utf8'))).errors).toEqual([]);
    const text = stdout.join('');
    const truth = /truth\s+([\d.]+) BPM, \d\/4, (\S+),/.exec(text)!;
    const est = /estimate\s+([\d.]+) BPM, \d\/4, (\S+),/.exec(text)!;
    expect(Math.abs(Number(est[1]) - Number(truth[1])) / Number(truth[1])).toBeLessThan(0.01);
    expect(est[2]).toBe(truth[2]);
  });
});
