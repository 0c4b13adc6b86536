import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../shared/audio/wav.js';
import { renderSong } from '../../shared/generation/song.js';
import { validateJams } from '../../shared/jams/validate.js';
import { main } from '../../cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), isTTY: false }, out, err };
}

describe('stemflow analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stemflow-cli-'));
  const song = renderSong(12, { durationSec: 20 });
  const input = join(dir, 'song.wav');
  writeFileSync(input, encodeWav(song.mix));

  it('writes four stems and a valid JAMS, and prints a human summary', async () => {
    const c = capture();
    const out = join(dir, 'full');
    expect(await main(['analyze', input, '--out', out], c.io)).toBe(0);
    for (const stem of ['vocals', 'drums', 'bass', 'other']) expect(existsSync(join(out, 'stems', `${stem}.wav`))).toBe(true);
    const jams = JSON.parse(readFileSync(join(out, 'analysis', 'annotation.jams'), 'utf8'));
    expect(validateJams(jams).errors).toEqual([]);
    const text = c.out.join('');
    expect(text).toMatch(/tempo\s+\d+\.\d BPM/);
    expect(text).toMatch(/key\s+[A-G]#? (major|minor)/);
    expect(text).toMatch(/tuning\s+A4 = \d+\.\d Hz/);
    expect(text).toMatch(/chords\s+\d+/);
    expect(text).toMatch(/sections\s+\w+\(A\)/);
  });

  it('--json --stems none prints a machine summary and writes no stems', async () => {
    const c = capture();
    const out = join(dir, 'mir');
    expect(await main(['analyze', input, '--out', out, '--stems', 'none', '--json'], c.io)).toBe(0);
    const summary = JSON.parse(c.out.join(''));
    expect(Math.abs(summary.bpm - song.truth.tempo!.bpm) / song.truth.tempo!.bpm).toBeLessThan(0.01);
    expect(summary.outputs.stems).toEqual({});
    expect(existsSync(join(out, 'stems'))).toBe(false);
  });

  it('exits non-zero with a message naming the problem for bad input', async () => {
    const notAudio = join(dir, 'notes.txt');
    writeFileSync(notAudio, 'these are not the bytes you are looking for');
    const cases: [string[], RegExp][] = [
      [['analyze', notAudio, '--out', join(dir, 'x')], /not.*audio|text/i],
      [['analyze', join(dir, 'missing.wav'), '--out', join(dir, 'x')], /cannot read .*missing\.wav.*ENOENT/],
      [['analyze', input], /--out/],
      [['analyze', input, '--out', join(dir, 'x'), '--stems', 'some'], /--stems must be one of all, none/],
      [['analyze', input, '--out', join(dir, 'x'), '--bogus'], /bogus/],
    ];
    for (const [argv, pattern] of cases) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.err.join('')).toMatch(pattern);
    }
  });
});
