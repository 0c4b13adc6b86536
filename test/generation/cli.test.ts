import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/command.js';
import { decodeWav } from '../../shared/audio/wav.js';
import { assertValidJams } from '../../shared/jams/validate.js';

function capture(): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'stemflow-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('stemflow generate / render-song / corpus', () => {
  it('generate writes the requested stems with the exact length', async () => {
    const out = await tempDir();
    const io = capture();
    const code = await main(['generate', '--stems', 'drums,bass', '--bpm', '120', '--duration', '2.5', '--key', 'A:minor', '--chords', 'Am F C G', '--style', 'rock', '--seed', '7', '--temperature', '0.5', '--sample-rate', '22050', '--out', out], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['bass.wav', 'drums.wav', 'generation.json']);
    const { audio, info } = decodeWav(new Uint8Array(await readFile(join(out, 'drums.wav'))));
    expect(info.bitDepth).toBe(16);
    expect(audio.channels[0].length).toBe(Math.round(2.5 * 22050));
    const summary = JSON.parse(await readFile(join(out, 'generation.json'), 'utf8'));
    expect(summary).toMatchObject({ bpm: 120, key: 'A:minor', style: 'rock', seed: 7 });
  });

  it('generate --fit follows a truth JAMS written by render-song', async () => {
    const song = await tempDir();
    const io = capture();
    expect(await main(['render-song', '--seed', '4', '--duration', '8', '--sample-rate', '22050', '--out', song], io)).toBe(0);
    expect((await readdir(song)).sort()).toEqual(['bass.wav', 'drums.wav', 'mix.wav', 'other.wav', 'song.json', 'truth.jams', 'vocals.wav']);
    const jams = JSON.parse(await readFile(join(song, 'truth.jams'), 'utf8'));
    expect(() => assertValidJams(jams)).not.toThrow();
    expect(jams.sandbox.tuning_hz).toBeGreaterThan(400);
    const out = await tempDir();
    const io2 = capture();
    expect(await main(['generate', '--fit', join(song, 'truth.jams'), '--stems', 'piano', '--sample-rate', '22050', '--out', out], io2)).toBe(0);
    const summary = JSON.parse(await readFile(join(out, 'generation.json'), 'utf8'));
    const meta = JSON.parse(await readFile(join(song, 'song.json'), 'utf8'));
    expect(summary.fitted).toBe(true);
    expect(summary.key).toBe(meta.key);
    expect(summary.durationSec).toBe(8);
    expect(summary.beatsPerBar).toBe(meta.beatsPerBar);
  });

  it('names the bad option and the allowed values, and exits 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate', '--style', 'polka', '--out', 'x'], /--style.*rock.*polka/],
      [['generate', '--stems', 'drums,kazoo', '--out', 'x'], /--stems.*kazoo.*drums/],
      [['generate', '--chords', 'Am Hm', '--out', 'x'], /--chords.*Hm/],
      [['generate', '--bpm', '5000', '--out', 'x'], /--bpm.*300/],
      [['generate', '--bit-depth', '12', '--out', 'x'], /--bit-depth.*16, 24, 32/],
      [['generate', '--colour', 'red'], /colour/],
      [['render-song', '--out', 'x'], /--seed/],
      [['corpus', '--count', '0', '--out', 'x'], /--count/],
    ];
    for (const [argv, pattern] of cases) {
      const io = capture();
      expect(await main(argv, io)).toBe(2);
      expect(io.err).toMatch(pattern);
    }
  });

  it('documents every option in --help', async () => {
    for (const [cmd, options] of [
      ['generate', ['--stems', '--bpm', '--duration', '--key', '--chords', '--style', '--seed', '--temperature', '--prompt', '--bit-depth', '--fit', '--out', '--meter', '--tuning', '--sample-rate']],
      ['render-song', ['--seed', '--out', '--duration', '--bit-depth', '--sample-rate']],
      ['corpus', ['--out', '--count', '--first-seed', '--duration', '--bit-depth']],
    ] as const) {
      const io = capture();
      expect(await main([cmd, '--help'], io)).toBe(0);
      for (const o of options) expect(io.out).toContain(o);
    }
  });

  it('corpus renders songs with a manifest and valid truth', async () => {
    const out = await tempDir();
    const io = capture();
    expect(await main(['corpus', '--out', out, '--count', '2', '--first-seed', '5', '--duration', '6', '--sample-rate', '16000', '--quiet'], io)).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.songs.map((s: { seed: number }) => s.seed)).toEqual([5, 6]);
    expect(manifest.heldOutFirstSeed).toBe(1000);
    for (const s of manifest.songs) {
      const jams = JSON.parse(await readFile(join(out, s.dir, 'truth.jams'), 'utf8'));
      expect(() => assertValidJams(jams)).not.toThrow();
    }
  });
});
