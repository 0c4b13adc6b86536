import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyGain, peakAbs, peakDbfs, sumBuffers, toStereo } from '../../shared/audio/mix.js';
import { detectContainer } from '../../shared/audio/detect.js';
import { decodeAudio } from '../../shared/audio/decode.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { InvalidAudioParametersError } from '../../shared/errors.js';
import { requireTool, sine, ToolDir } from './helpers.js';

describe('mix helpers', () => {
  const a: AudioBuffer = { sampleRate: 8000, channels: [Float32Array.of(0.1, -0.5, 0.2), Float32Array.of(0, 0, 0.25)] };

  it('peak in linear and dBFS; silence is −Infinity dBFS', () => {
    expect(peakAbs(a)).toBeCloseTo(0.5, 7);
    expect(peakDbfs(a)).toBeCloseTo(-6.0206, 3);
    expect(peakDbfs({ sampleRate: 8000, channels: [new Float32Array(4)] })).toBe(-Infinity);
  });

  it('sumBuffers adds sample-wise, pads the shorter with silence, and refuses mismatched rates', () => {
    const b: AudioBuffer = { sampleRate: 8000, channels: [Float32Array.of(1), Float32Array.of(2)] };
    const s = sumBuffers([a, b]);
    expect(Array.from(s.channels[0])).toEqual([1.1, -0.5, 0.2].map(Math.fround));
    expect(Array.from(s.channels[1])).toEqual([2, 0, 0.25]);
    expect(() => sumBuffers([a, { ...b, sampleRate: 16000 }])).toThrow(/16000 Hz with 8000 Hz/);
    expect(() => sumBuffers([])).toThrow(InvalidAudioParametersError);
  });

  it('toStereo duplicates mono, keeps stereo, folds 4 channels', () => {
    const mono: AudioBuffer = { sampleRate: 8000, channels: [Float32Array.of(0.5)] };
    expect(toStereo(mono).channels).toHaveLength(2);
    expect(toStereo(a)).toBe(a);
    const quad: AudioBuffer = { sampleRate: 8000, channels: [Float32Array.of(1), Float32Array.of(0), Float32Array.of(0), Float32Array.of(1)] };
    const st = toStereo(quad);
    expect([st.channels[0][0], st.channels[1][0]]).toEqual([0.5, 0.5]);
    expect(Array.from(applyGain(a, 2).channels[1])).toEqual([0, 0, 0.5]);
  });
});

describe('container detection by content', () => {
  const dir = new ToolDir();
  beforeAll(() => {
    requireTool('lame', 'lame');
    requireTool('flac', 'flac');
    dir.write('s.wav', encodeWav({ sampleRate: 44100, channels: [sine(440, 44100, 22050, 0.4)] }));
    dir.run('lame', ['--quiet', '-b', '128', 's.wav', 's.mp3']);
    dir.run('flac', ['-s', '-f', 's.wav', '-o', 's.flac']);
  });
  afterAll(() => dir.dispose());

  it('an MP3 with 300 bytes of junk before the first frame is still found and decoded', async () => {
    const mp3 = dir.read('s.mp3');
    const junk = new Uint8Array(300 + mp3.length);
    for (let i = 0; i < 300; i++) junk[i] = (i * 7) & 0x7f;
    junk.set(mp3, 300);
    expect(detectContainer(junk)).toMatchObject({ format: 'mp3', offset: 300 });
    const { audio } = await decodeAudio(junk);
    expect(audio.channels[0].length).toBe(22050);
  });

  it('a FLAC file behind an ID3v2 tag is recognised as FLAC', async () => {
    const flac = dir.read('s.flac');
    const id3 = Uint8Array.of(0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0);
    const both = new Uint8Array(id3.length + flac.length);
    both.set(id3);
    both.set(flac, id3.length);
    expect(detectContainer(both)).toMatchObject({ format: 'flac', offset: 16 });
    expect((await decodeAudio(both)).info.format).toBe('flac');
  });

  it('the same bytes are recognised whatever they came from: WAV/MP3/FLAC magic decides', () => {
    expect(detectContainer(dir.read('s.wav')).format).toBe('wav');
    expect(detectContainer(dir.read('s.mp3')).format).toBe('mp3');
    expect(detectContainer(dir.read('s.flac')).format).toBe('flac');
  });
});
