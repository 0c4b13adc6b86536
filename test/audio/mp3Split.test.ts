/**
 * The two-thread MP3 decode must give the one-decoder samples bit for bit, for every kind of
 * Layer III stream lame writes, and must fall back to one decoder, never to other samples, when
 * its helper is slow, fails or returns a tail that does not join.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeAudio } from '../../shared/audio/decode.js';
import { detectContainer } from '../../shared/audio/detect.js';
import { decodeMp3 } from '../../shared/audio/mp3.js';
import { decodeMp3Split, decodeMp3Tail, mapMp3Frames, type Mp3TailDecoder } from '../../shared/audio/mp3Split.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { renderSong } from '../../shared/generation/song.js';
import { startTonalThread } from '../../shared/mir/tonalThread.js';
import { requireTool, ToolDir } from './helpers.js';

const dir = new ToolDir();
/** lame settings → a stream kind: CBR, VBR, MPEG-2 at 16 and 22.05 kHz, mono, no Info tag, an ID3v1 tag at the end. */
const KINDS: Record<string, string[]> = {
  cbr128: ['-b', '128'],
  vbr: ['-V', '2'],
  mpeg2_16k: ['-b', '32', '--resample', '16'],
  mpeg2_22k: ['-V', '4', '--resample', '22.05'],
  mono: ['-m', 'm', '-V', '5'],
  no_info_tag: ['-t', '-b', '160'],
  id3v1: ['-b', '128', '--tt', 'Title', '--id3v1-only'],
};
const files: Record<string, Uint8Array> = {};

beforeAll(() => {
  requireTool('lame', 'lame');
  const song = renderSong(3, { durationSec: 30 }).mix;
  dir.write('song.wav', encodeWav(song, { bitDepth: 16 }));
  for (const [kind, args] of Object.entries(KINDS)) {
    dir.run('lame', ['--quiet', ...args, 'song.wav', `${kind}.mp3`]);
    files[kind] = dir.read(`${kind}.mp3`);
  }
}, 60_000);
afterAll(() => dir.dispose());

/** A helper on this thread: ready at once, tail decoded by the real tail decoder, then `alter`ed. */
function localHelper(alter: (tail: Float32Array[] | null) => Float32Array[] | null = (t) => t): Mp3TailDecoder & { calls: number } {
  const helper = {
    calls: 0,
    ready: () => true,
    async decodeTail(job: Parameters<Mp3TailDecoder['decodeTail']>[0]) {
      helper.calls++;
      return alter(await decodeMp3Tail(job));
    },
  };
  return helper;
}

async function oneDecoder(bytes: Uint8Array): Promise<AudioBuffer> {
  return (await decodeMp3(bytes, detectContainer(bytes).offset)).audio;
}

function expectSameSamples(a: AudioBuffer, b: AudioBuffer): void {
  expect(b.sampleRate).toBe(a.sampleRate);
  expect(b.channels.length).toBe(a.channels.length);
  for (let c = 0; c < a.channels.length; c++) {
    expect(b.channels[c].length).toBe(a.channels[c].length);
    // Bit for bit: Buffer.compare of the raw float bytes.
    expect(Buffer.compare(Buffer.from(a.channels[c].buffer, a.channels[c].byteOffset, a.channels[c].byteLength), Buffer.from(b.channels[c].buffer, b.channels[c].byteOffset, b.channels[c].byteLength))).toBe(0);
  }
}

describe('MP3 decoded on two threads', () => {
  it.each(Object.keys(KINDS))('%s: equals one decoder bit for bit, with the helper doing 40 % or more', async (kind) => {
    const bytes = files[kind];
    const map = mapMp3Frames(bytes, detectContainer(bytes).offset);
    expect(map).not.toBeNull();
    const helper = localHelper();
    const split = await decodeMp3Split(bytes, map!, helper);
    const whole = await oneDecoder(bytes);
    expectSameSamples(whole, split.audio);
    expect(helper.calls).toBe(1);
    expect(split.helperFrames).toBeGreaterThan(0.4 * whole.channels[0].length);
  }, 30_000);

  it('falls back to one decoder when the tail does not join (one sample one ulp off), failed or was never ready', async () => {
    const bytes = files.vbr;
    const map = mapMp3Frames(bytes, detectContainer(bytes).offset)!;
    const whole = await oneDecoder(bytes);
    const nudged = localHelper((t) => {
      if (t) t[1][100] = Math.fround(t[1][100] + 2 ** -24);
      return t;
    });
    const broken = localHelper(() => null);
    const throwing: Mp3TailDecoder = { ready: () => true, decodeTail: () => Promise.reject(new Error('thread died')) };
    const never: Mp3TailDecoder = { ready: () => false, decodeTail: () => Promise.reject(new Error('not called')) };
    for (const helper of [nudged, broken, throwing, never]) {
      const split = await decodeMp3Split(bytes, map, helper);
      expect(split.helperFrames).toBe(0);
      expectSameSamples(whole, split.audio);
    }
    expect(nudged.calls + broken.calls).toBe(2);
  }, 30_000);

  it('does not split a stream whose frames do not run to the end (a damaged frame header)', () => {
    const bytes = files.cbr128.slice();
    const map = mapMp3Frames(bytes, detectContainer(bytes).offset)!;
    const mid = map.starts[map.starts.length >> 1];
    bytes[mid] = 0;
    expect(mapMp3Frames(bytes, detectContainer(bytes).offset)).toBeNull();
  });

  it('through the real second thread: the same samples, and a kept thread takes its half at once', async () => {
    const bytes = files.cbr128;
    const map = mapMp3Frames(bytes, detectContainer(bytes).offset)!;
    const whole = await decodeAudio(bytes);
    for (let job = 0; job < 2; job++) {
      const thread = startTonalThread();
      // The second job gets the first job's thread back, kept: once loaded it starts at once.
      if (job === 1) await vi.waitFor(() => expect(thread.mp3Tail.ready()).toBe(true), { timeout: 20_000, interval: 20 });
      const split = await decodeMp3Split(bytes, map, thread.mp3Tail);
      expectSameSamples(whole.audio, split.audio);
      if (job === 1) expect(split.helperFrames).toBeGreaterThan(0.4 * whole.audio.channels[0].length);
      const viaDecodeAudio = await decodeAudio(bytes, { mp3Helper: thread.mp3Tail });
      expectSameSamples(whole.audio, viaDecodeAudio.audio);
      expect(viaDecodeAudio.info).toEqual(whole.info);
      thread.release();
    }
  }, 60_000);
});
