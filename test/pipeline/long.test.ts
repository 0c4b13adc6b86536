/**
 * The long-file path (shared/pipeline/analyzeLong.ts) decodes, analyses and separates piece by
 * piece. It must give what the one-shot path gives on the same file: the same description and
 * byte-identical stem files, whatever the input format and however the pieces fall.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../shared/audio/decode.js';
import { AnalysisMonoStream, mixToAnalysisMono } from '../../shared/audio/resample.js';
import { bytesSource, openAudioStream, probeSource } from '../../shared/audio/stream.js';
import { encodeWav } from '../../shared/audio/wav.js';
import { renderSong } from '../../shared/generation/song.js';
import { LoudnessMeter, measureLoudness } from '../../shared/mir/loudness.js';
import { analyzeEncoded, analyzeMix } from '../../shared/pipeline/analyze.js';
import { analyzeLong, type LongAnalysisIO } from '../../shared/pipeline/analyzeLong.js';
import type { DspStem } from '../../shared/separation/dsp.js';
import { requireTool, seededRandom, ToolDir } from '../audio/helpers.js';

/** Long-analysis I/O in memory: the spill as whole channels, the stems as concatenated bytes. */
function memoryIO(): LongAnalysisIO & { stems: Partial<Record<DspStem, Uint8Array>> } {
  const pieces: Float32Array[][] = [];
  const stems: Partial<Record<DspStem, Uint8Array>> = {};
  return {
    stems,
    spill: {
      append: async (channels) => void pieces.push(channels.map((ch) => ch.slice())),
      read: async (start, end) =>
        pieces[0].map((_, c) => {
          const whole = new Float32Array(pieces.reduce((n, p) => n + p[c].length, 0));
          let at = 0;
          for (const p of pieces) (whole.set(p[c], at), (at += p[c].length));
          return whole.slice(start, end);
        }),
    },
    openStem: async (stem) => {
      const parts: Uint8Array[] = [];
      return {
        write: async (bytes) => void parts.push(bytes.slice()),
        close: async () => {
          stems[stem] = Buffer.concat(parts);
        },
      };
    },
  };
}

/** Split into pieces of varying length, as a decoder or a network would. */
function* unevenPieces(channels: Float32Array[], seed: number): Generator<Float32Array[]> {
  const rand = seededRandom(seed);
  const n = channels[0].length;
  for (let a = 0; a < n; ) {
    const b = Math.min(n, a + 1 + Math.floor(rand() * 70000));
    yield channels.map((ch) => ch.subarray(a, b));
    a = b;
  }
}

describe('long-file analysis', () => {
  const song = renderSong(6, { durationSec: 50 });

  it('gives the one-shot description and byte-identical stems for a WAV read in ranges', async () => {
    // 50 s of stereo float: over 16 MiB, so the samples are read range by range.
    const wav = encodeWav(song.mix, { bitDepth: 32 });
    expect(wav.length).toBeGreaterThan(16 << 20);
    const io = memoryIO();
    const long = await analyzeLong(bytesSource(wav), io, { windowSec: 15, stemBitDepth: 24 });
    const whole = await analyzeEncoded(wav, { stemBitDepth: 24 });
    const { timings: _a, ...expected } = whole.description;
    const { timings: _b, ...got } = long.description;
    expect(got).toEqual(expected);
    expect(long.stemsWritten.sort()).toEqual(Object.keys(whole.stems!).sort());
    for (const stem of long.stemsWritten) expect(Buffer.compare(io.stems[stem]!, whole.stems![stem]), stem).toBe(0);
    expect(long.info).toEqual(whole.info);
  }, 120_000);

  it('gives the one-shot analysis of an MP3 (decoded 1 MiB at a time), without separating when told not to', async () => {
    requireTool('lame', 'lame');
    const dir = new ToolDir();
    dir.write('song.wav', encodeWav(song.mix, { bitDepth: 16 }));
    dir.run('lame', ['--quiet', '-b', '192', 'song.wav', 'song.mp3']);
    const mp3 = dir.read('song.mp3');
    dir.dispose();
    const io = memoryIO();
    const long = await analyzeLong(bytesSource(mp3), io, { separate: false });
    const whole = await analyzeEncoded(mp3, { separate: false });
    const { timings: _a, ...expected } = whole.description;
    const { timings: _b, ...got } = long.description;
    expect(got).toEqual(expected);
    expect(long.stemsWritten).toEqual([]);
    expect(io.stems).toEqual({});
  }, 120_000);

  it('gives the same description when the spectrograms are visited in blocks instead of held', async () => {
    const held = await analyzeMix(song.mix);
    const blocks = await analyzeMix(song.mix, { spectrogramCacheBytes: 1 << 20 });
    const { timings: _a, ...expected } = held;
    const { timings: _b, ...got } = blocks;
    expect(got).toEqual(expected);
  }, 60_000);

  it('rejects bad input with the one-shot errors, before any output is written', async () => {
    const io = memoryIO();
    await expect(analyzeLong(bytesSource(new Uint8Array(0)), io)).rejects.toThrow(/empty/);
    await expect(analyzeLong(bytesSource(new TextEncoder().encode('{"not": "audio"} '.repeat(20))), io)).rejects.toThrow(/JSON/i);
    const wav = encodeWav(song.mix, { bitDepth: 32 });
    await expect(analyzeLong(bytesSource(wav), io, { maxDurationSec: 30 })).rejects.toThrow(/over the limit of 30 s/);
    expect(io.stems).toEqual({});
    const info = await probeSource(bytesSource(wav));
    expect(info.durationSec).toBeCloseTo(50, 6);
  });
});

describe('streaming building blocks', () => {
  it('decodes a WAV read in ranges into exactly the one-shot samples', async () => {
    const wav = encodeWav(song10(), { bitDepth: 24 });
    const big = new Uint8Array(17 << 20);
    big.set(wav); // trailing zeros after the RIFF body are ignored
    const stream = await openAudioStream(bytesSource(big));
    const { audio } = await decodeAudio(wav);
    const got: Float32Array[][] = [];
    for await (const p of stream.pieces) got.push(p.channels.map((ch) => ch.slice()));
    for (let c = 0; c < 2; c++) expect(Buffer.compare(Buffer.from(concat(got.map((p) => p[c])).buffer), Buffer.from(audio.channels[c].slice().buffer))).toBe(0);
  });

  it('decodes FLAC, Ogg FLAC, Ogg Vorbis and MP3 a megabyte at a time into exactly the one-shot samples', async () => {
    for (const [tool, pkg] of [['flac', 'flac'], ['oggenc', 'vorbis-tools'], ['lame', 'lame']]) requireTool(tool, pkg);
    const dir = new ToolDir();
    try {
      // 40 s: several megabytes of FLAC, so several pieces
      dir.write('in.wav', encodeWav(renderSong(6, { durationSec: 40 }).mix, { bitDepth: 24 }));
      dir.run('flac', ['--silent', '-o', 'a.flac', 'in.wav']);
      dir.run('flac', ['--silent', '--ogg', '-o', 'a.oga', 'in.wav']);
      dir.run('oggenc', ['--quiet', '-q', '8', '-o', 'a.ogg', 'in.wav']);
      dir.run('lame', ['--quiet', '-b', '320', 'in.wav', 'a.mp3']);
      for (const name of ['a.flac', 'a.oga', 'a.ogg', 'a.mp3']) {
        const bytes = dir.read(name);
        const { audio, info } = await decodeAudio(bytes);
        const stream = await openAudioStream(bytesSource(bytes));
        expect(stream.info.format, name).toBe(info.format);
        let count = 0;
        const got: Float32Array[][] = [];
        for await (const p of stream.pieces) {
          got.push(p.channels.map((ch) => ch.slice()));
          count++;
        }
        expect(count, name).toBeGreaterThan(1);
        for (let c = 0; c < audio.channels.length; c++) {
          const joined = concat(got.map((p) => p[c]));
          expect({ name, c, same: Buffer.from(joined.buffer).equals(Buffer.from(audio.channels[c].slice().buffer)) }).toEqual({ name, c, same: true });
        }
      }
    } finally {
      dir.dispose();
    }
  }, 60_000);

  it.each([
    [44100, 2],
    [48000, 2],
    [32000, 1],
    [22050, 2],
  ])('resamples %i Hz × %i to the analysis rate in pieces, sample for sample as in one go', (rate, count) => {
    const rand = seededRandom(rate);
    const n = 400_003;
    const channels = Array.from({ length: count }, () => Float32Array.from({ length: n }, () => rand() * 2 - 1));
    const expected = mixToAnalysisMono({ sampleRate: rate, channels }, 22050);
    const stream = new AnalysisMonoStream(rate, count, 22050, n / 2);
    for (const piece of unevenPieces(channels, count)) stream.push(piece);
    const got = stream.finish();
    expect(got.length).toBe(expected.length);
    expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(0);
  });

  it('measures the loudness of audio in pieces exactly as of the whole', () => {
    const mix = song10();
    const meter = new LoudnessMeter(mix.sampleRate, mix.channels.length);
    for (const piece of unevenPieces(mix.channels, 3)) meter.push(piece);
    const whole = measureLoudness(mix);
    expect(whole.integratedLufs).toBeGreaterThan(-40);
    expect(meter.result()).toEqual(whole);
  });
});

const song10 = (() => {
  let cached: ReturnType<typeof renderSong>['mix'] | undefined;
  return () => (cached ??= renderSong(2, { durationSec: 10 }).mix);
})();

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
