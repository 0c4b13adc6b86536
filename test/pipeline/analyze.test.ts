import { describe, expect, it } from 'vitest';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { decodeWav, encodeWav } from '../../shared/audio/wav.js';
import { separateByMasks } from '../../shared/separation/dsp.js';
import { planGeneration, renderStem } from '../../shared/generation/index.js';
import { renderSong } from '../../shared/generation/song.js';
import { validateJams } from '../../shared/jams/validate.js';
import { analyzeEncoded, analyzeMix } from '../../shared/pipeline/analyze.js';
import { decodeAudio } from '../../shared/audio/decode.js';
import { requireTool, ToolDir } from '../audio/helpers.js';

function keyName(k: { tonic: number; mode: string } | null): string {
  return k ? `${k.tonic}:${k.mode}` : 'none';
}

function sumStems(stems: Record<string, AudioBuffer>): AudioBuffer {
  const list = Object.values(stems);
  const channels = list[0].channels.map((c) => new Float32Array(c.length));
  for (const s of list) s.channels.forEach((c, ch) => c.forEach((v, i) => (channels[ch][i] += v)));
  return { sampleRate: list[0].sampleRate, channels };
}

describe('analysis pipeline: closed loop on songs with known truth', () => {
  it('analyses a rendered song back to its tempo (±1 %) and key, with stems that sum to the mix', async () => {
    const song = renderSong(3, { durationSec: 40 });
    const wav = encodeWav(song.mix, { bitDepth: 32 });
    const result = await analyzeEncoded(wav, { stemBitDepth: 32 });
    const d = result.description;
    expect(d.tempo).not.toBeNull();
    expect(Math.abs(d.tempo!.bpm - song.truth.tempo!.bpm) / song.truth.tempo!.bpm).toBeLessThan(0.01);
    expect(keyName(d.key)).toBe(keyName(song.truth.key));
    expect(validateJams(result.jams).errors).toEqual([]);
    const stems = Object.fromEntries(Object.entries(result.stems!).map(([name, bytes]) => [name, decodeWav(bytes).audio]));
    const sum = sumStems(stems);
    let err = 0;
    for (let ch = 0; ch < song.mix.channels.length; ch++) {
      const a = song.mix.channels[ch];
      const b = sum.channels[ch];
      for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
    }
    expect(err).toBeLessThan(1e-4);
  });

  it('writes the stem WAVs byte for byte as encoding the one-run separation would, at each bit depth', async () => {
    const song = renderSong(8, { durationSec: 35 });
    const oneRun = await separateByMasks(song.mix);
    for (const bitDepth of [16, 24, 32] as const) {
      const result = await analyzeEncoded(encodeWav(song.mix, { bitDepth: 32 }), { stemBitDepth: bitDepth });
      for (const [name, audio] of Object.entries(oneRun)) {
        expect({ name, bitDepth, same: Buffer.from(result.stems![name]).equals(encodeWav(audio, { bitDepth })) }).toEqual({ name, bitDepth, same: true });
      }
    }
  }, 60_000);

  it('gives an MP3 the stems of separating its decoded audio, whether or not its header tells the length', async () => {
    requireTool('lame', 'lame');
    const dir = new ToolDir();
    try {
      dir.write('song.wav', encodeWav(renderSong(3, { durationSec: 25 }).mix, { bitDepth: 16 }));
      // With the LAME tag the separation starts during the decode; without it (-t), after.
      dir.run('lame', ['--quiet', '-V', '4', 'song.wav', 'tagged.mp3']);
      dir.run('lame', ['--quiet', '-t', '-b', '128', 'song.wav', 'notag.mp3']);
      for (const name of ['tagged.mp3', 'notag.mp3']) {
        const bytes = dir.read(name);
        const oneRun = await separateByMasks((await decodeAudio(bytes)).audio);
        const result = await analyzeEncoded(bytes);
        for (const [stem, audio] of Object.entries(oneRun)) {
          expect({ name, stem, same: Buffer.from(result.stems![stem]).equals(encodeWav(audio, { bitDepth: 16 })) }).toEqual({ name, stem, same: true });
        }
      }
    } finally {
      dir.dispose();
    }
  }, 60_000);

  it('stems generated with a fit to an analysis come back at its tempo and key', async () => {
    const song = renderSong(5, { durationSec: 30 });
    const analysed = await analyzeMix(song.mix);
    const plan = planGeneration({ durationSec: 30, fit: analysed, seed: 11 });
    const drums = renderStem(plan, 'drums');
    const piano = renderStem(plan, 'piano');
    const bass = renderStem(plan, 'bass');
    const mix = sumStems({ drums, piano, bass });
    const back = await analyzeMix(mix);
    expect(Math.abs(back.tempo!.bpm - analysed.tempo!.bpm) / analysed.tempo!.bpm).toBeLessThan(0.01);
    expect(keyName(back.key)).toBe(keyName(analysed.key));
  });
});

describe('analysis pipeline: degenerate inputs give a valid JAMS, not an error', () => {
  const cases: [string, AudioBuffer][] = [
    ['silence', { sampleRate: 44100, channels: [new Float32Array(44100 * 5), new Float32Array(44100 * 5)] }],
    ['a 0.5 s clip', { sampleRate: 44100, channels: [Float32Array.from({ length: 22050 }, (_, i) => 0.3 * Math.sin(i * 0.05))] }],
  ];
  const tone = (sr: number, sec: number): AudioBuffer => ({
    sampleRate: sr,
    channels: [Float32Array.from({ length: sr * sec }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / sr) * (i % Math.floor(sr / 2) < sr / 20 ? 1 : 0.3))],
  });
  cases.push(['mono at 8 kHz', tone(8000, 6)], ['mono at 96 kHz', tone(96000, 4)]);

  for (const [name, audio] of cases) {
    it(name, async () => {
      const result = await analyzeEncoded(encodeWav(audio, { bitDepth: 32 }));
      expect(validateJams(result.jams).errors).toEqual([]);
      for (const bytes of Object.values(result.stems!)) {
        const stem = decodeWav(bytes).audio;
        expect(stem.sampleRate).toBe(audio.sampleRate);
        expect(stem.channels[0].length).toBe(audio.channels[0].length);
      }
      if (name === 'silence') {
        expect(result.description.beats).toEqual([]);
        expect(result.description.key).toBeNull();
        expect(result.description.chords.every((c) => c.label === 'N')).toBe(true);
      }
    });
  }
});
