import { describe, expect, it } from 'vitest';
import { decodeAudio, probeAudio } from '../../shared/audio/decode.js';
import { encodeWav } from '../../shared/audio/wav.js';
import type { AudioBuffer } from '../../shared/audio/types.js';
import { buildWav, packFloats, packInts, randomInts, seededRandom, sine } from './helpers.js';

const FRAMES = 1000;

describe('WAV decoding: integer PCM at every width', () => {
  for (const bits of [8, 16, 24, 32]) {
    it(`decodes ${bits}-bit PCM exactly (code / 2^${bits - 1}), 2 channels`, async () => {
      const rand = seededRandom(bits);
      const codes = [randomInts(rand, FRAMES, bits), randomInts(rand, FRAMES, bits)];
      const bytes = buildWav({ channels: 2, sampleRate: 44100, bitsPerSample: bits, data: packInts(codes, bits) });
      const { audio, info } = await decodeAudio(bytes);
      expect(info).toMatchObject({ format: 'wav', codec: bits === 8 ? 'pcm_u8' : `pcm_s${bits}`, sampleRate: 44100, channelCount: 2, bitDepth: bits });
      expect(info.durationSec).toBeCloseTo(FRAMES / 44100, 12);
      const scale = 2 ** (bits - 1);
      for (let ch = 0; ch < 2; ch++) {
        expect(audio.channels[ch].length).toBe(FRAMES);
        for (let i = 0; i < FRAMES; i++) {
          if (audio.channels[ch][i] !== Math.fround(codes[ch][i] / scale)) {
            throw new Error(`ch ${ch} sample ${i}: ${audio.channels[ch][i]} != ${codes[ch][i]}/${scale}`);
          }
        }
        expect(Math.min(...audio.channels[ch])).toBe(-1);
        // the largest code maps just below 1 (to exactly 1 after float32 rounding for 32-bit)
        expect(Math.max(...audio.channels[ch])).toBe(Math.fround((scale - 1) / scale));
      }
    });
  }
});

describe('WAV decoding: IEEE float', () => {
  for (const bits of [32, 64] as const) {
    it(`decodes float${bits} values (including out-of-range peaks) unchanged`, async () => {
      const rand = seededRandom(100 + bits);
      const chans = [0, 1, 2].map(() => Float64Array.from({ length: FRAMES }, () => (rand() * 2 - 1) * 1.5));
      const bytes = buildWav({ formatTag: 3, channels: 3, sampleRate: 48000, bitsPerSample: bits, data: packFloats(chans, bits) });
      const { audio, info } = await decodeAudio(bytes);
      expect(info).toMatchObject({ codec: `pcm_f${bits}`, channelCount: 3, bitDepth: bits, sampleRate: 48000 });
      for (let ch = 0; ch < 3; ch++) for (let i = 0; i < FRAMES; i += 37) expect(audio.channels[ch][i]).toBe(Math.fround(chans[ch][i]));
    });
  }
});

describe('WAV decoding: WAVE_FORMAT_EXTENSIBLE', () => {
  it('reads the sub-format GUID: PCM 24-bit and float 32-bit', async () => {
    const codes = [Int32Array.from([8388607, -8388608, 4194304, -1])];
    const pcm = buildWav({ formatTag: 0xfffe, subFormat: 1, channels: 1, sampleRate: 96000, bitsPerSample: 24, data: packInts(codes, 24) });
    const a = await decodeAudio(pcm);
    expect(a.info).toMatchObject({ codec: 'pcm_s24', sampleRate: 96000, channelCount: 1 });
    expect(Array.from(a.audio.channels[0])).toEqual([8388607 / 8388608, -1, 0.5, -1 / 8388608].map(Math.fround));

    const fl = buildWav({ formatTag: 0xfffe, subFormat: 3, channels: 2, sampleRate: 44100, bitsPerSample: 32, data: packFloats([Float32Array.of(0.25, -0.75), Float32Array.of(1, 0)], 32) });
    const b = await decodeAudio(fl);
    expect(b.info.codec).toBe('pcm_f32');
    expect(Array.from(b.audio.channels[1])).toEqual([1, 0]);
  });

  it('reports valid bits (20 in a 24-bit container) and scales by the container', async () => {
    const codes = [Int32Array.from([0x7ffff0, -0x800000])];
    const bytes = buildWav({ formatTag: 0xfffe, subFormat: 1, channels: 1, sampleRate: 44100, bitsPerSample: 24, validBits: 20, data: packInts(codes, 24) });
    const { audio, info } = await decodeAudio(bytes);
    expect(info.bitDepth).toBe(20);
    expect(audio.channels[0][1]).toBe(-1);
  });
});

describe('WAV decoding: channel counts and chunk layout', () => {
  for (let c = 1; c <= 8; c++) {
    it(`keeps ${c} channel(s) apart (channel k carries constant k/10)`, async () => {
      const codes = Array.from({ length: c }, (_, k) => new Int32Array(50).fill(Math.round((k / 10) * 32768)));
      const bytes = buildWav({ channels: c, sampleRate: 22050, bitsPerSample: 16, data: packInts(codes, 16) });
      const { audio, info } = await decodeAudio(bytes);
      expect(info.channelCount).toBe(c);
      expect(audio.channels).toHaveLength(c);
      for (let k = 0; k < c; k++) expect(audio.channels[k][49]).toBeCloseTo(k / 10, 4);
    });
  }

  it('skips odd-sized chunks with their pad byte and reads LIST/INFO title and artist', async () => {
    const enc = new TextEncoder();
    const infoBody = (() => {
      const name = enc.encode('Song Ä\0'); // odd length 8? "Song Ä" = 7 bytes UTF-8 + NUL = 8
      const art = enc.encode('Band\0'); // 5 bytes: odd, padded
      const parts = [enc.encode('INFO')];
      const sub = (id: string, b: Uint8Array) => {
        const h = new Uint8Array(8 + b.length + (b.length & 1));
        h.set(enc.encode(id));
        new DataView(h.buffer).setUint32(4, b.length, true);
        h.set(b, 8);
        return h;
      };
      parts.push(sub('INAM', name), sub('IART', art));
      const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    })();
    const data = packInts([Int32Array.from([1000, 2000, 3000])], 16);
    const bytes = buildWav({
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 16,
      data,
      extraChunks: [['junk', new Uint8Array(5).fill(0xee)], ['LIST', infoBody]],
      trailingChunks: [['odd ', new Uint8Array(3)]],
    });
    const { audio, info } = await decodeAudio(bytes);
    expect(Array.from(audio.channels[0])).toEqual([1000, 2000, 3000].map((v) => Math.fround(v / 32768)));
    expect(info.tags).toEqual({ title: 'Song Ä', artist: 'Band' });
  });

  it('reads tags written by encodeWav and an odd-length 8-bit data chunk', async () => {
    const audio: AudioBuffer = { sampleRate: 16000, channels: [Float32Array.of(0.5, -0.5, 0.25)] };
    const bytes = encodeWav(audio, { tags: { title: 'T', artist: 'A', album: 'Al' } });
    expect((await probeAudio(bytes)).tags).toEqual({ title: 'T', artist: 'A', album: 'Al' });
    const u8 = buildWav({ channels: 1, sampleRate: 8000, bitsPerSample: 8, data: Uint8Array.of(128, 255, 0), trailingChunks: [['LIST', new TextEncoder().encode('INFOINAM\x02\0\0\0x\0')]] });
    const d = await decodeAudio(u8);
    expect(Array.from(d.audio.channels[0])).toEqual([0, 127 / 128, -1]);
    expect(d.info.tags.title).toBe('x');
  });

  it('treats a data size of 0xFFFFFFFF (streaming writer) as "to the end of the file"', async () => {
    const data = packInts([Int32Array.from([1, 2, 3, 4])], 16);
    const bytes = buildWav({ channels: 1, sampleRate: 8000, bitsPerSample: 16, data, declaredDataBytes: 0xffffffff });
    expect((await decodeAudio(bytes)).audio.channels[0].length).toBe(4);
  });

  it('decodes RF64 (ds64 chunk carries the data size)', async () => {
    const data = packInts([Int32Array.from([100, -100]), Int32Array.from([7, -7])], 16);
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setUint32(8, data.length, true);
    const riff = buildWav({ channels: 2, sampleRate: 44100, bitsPerSample: 16, data, declaredDataBytes: 0xffffffff, extraChunks: [['ds64', ds64]] });
    riff.set([0x52, 0x46, 0x36, 0x34], 0); // "RF64"
    const { audio, info } = await decodeAudio(riff);
    expect(info.format).toBe('wav');
    expect(audio.channels[1][1]).toBeCloseTo(-7 / 32768, 9);
  });

  it('decodes a misaligned data chunk (odd chunk before data) correctly', async () => {
    const codes = [randomInts(seededRandom(5), 64, 32), randomInts(seededRandom(6), 64, 32)];
    const bytes = buildWav({ channels: 2, sampleRate: 44100, bitsPerSample: 32, data: packInts(codes, 32), extraChunks: [['pad ', new Uint8Array(1)]] });
    // place the file at an odd byteOffset inside a bigger buffer too
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    const { audio } = await decodeAudio(shifted);
    expect(audio.channels[1][5]).toBe(Math.fround(codes[1][5] / 2 ** 31));
  });
});

describe('WAV encoding', () => {
  it('round-trips integer codes exactly for 16 and 24 bits, and floats bit-exactly for 32', async () => {
    for (const bits of [16, 24] as const) {
      const codes = [randomInts(seededRandom(bits + 1), 500, bits), randomInts(seededRandom(bits + 2), 500, bits)];
      const first = await decodeAudio(buildWav({ channels: 2, sampleRate: 44100, bitsPerSample: bits, data: packInts(codes, bits) }));
      const again = await decodeAudio(encodeWav(first.audio, { bitDepth: bits }));
      expect(again.info.codec).toBe(`pcm_s${bits}`);
      for (let ch = 0; ch < 2; ch++) expect(Array.from(again.audio.channels[ch])).toEqual(Array.from(first.audio.channels[ch]));
    }
    const rand = seededRandom(32);
    const x = Float32Array.from({ length: 500 }, () => rand() * 4 - 2);
    const back = await decodeAudio(encodeWav({ sampleRate: 48000, channels: [x] }, { bitDepth: 32 }));
    expect(back.info.codec).toBe('pcm_f32');
    expect(Array.from(back.audio.channels[0])).toEqual(Array.from(x));
  });

  it('property: encode→decode error stays within half a quantisation step (16, 24) for random signals', async () => {
    const rand = seededRandom(2024);
    for (let trial = 0; trial < 20; trial++) {
      const bits = trial % 2 === 0 ? 16 : 24;
      const channels = 1 + Math.floor(rand() * 8);
      const frames = 1 + Math.floor(rand() * 300);
      const rate = [8000, 22050, 44100, 48000, 96000][Math.floor(rand() * 5)];
      const audio: AudioBuffer = { sampleRate: rate, channels: Array.from({ length: channels }, () => Float32Array.from({ length: frames }, () => rand() * 1.98 - 0.99)) };
      const back = await decodeAudio(encodeWav(audio, { bitDepth: bits }));
      expect(back.info).toMatchObject({ sampleRate: rate, channelCount: channels });
      const step = 1 / 2 ** (bits - 1);
      let worst = 0;
      for (let ch = 0; ch < channels; ch++) for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs(back.audio.channels[ch][i] - audio.channels[ch][i]));
      expect(worst).toBeLessThanOrEqual(step / 2 + 1e-9);
    }
  });

  it('clips out-of-range samples to the integer range and defaults to 16-bit', async () => {
    const audio: AudioBuffer = { sampleRate: 44100, channels: [Float32Array.of(1.5, -1.5, 1, -1, Number.NaN)] };
    const bytes = encodeWav(audio);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(34, true)).toBe(16);
    const back = await decodeAudio(bytes);
    expect(Array.from(back.audio.channels[0])).toEqual([32767 / 32768, -1, 32767 / 32768, -1, 0].map(Math.fround));
    const b24 = await decodeAudio(encodeWav(audio, { bitDepth: 24 }));
    expect(b24.audio.channels[0][0]).toBe(Math.fround(8388607 / 8388608));
  });

  it('writes exactly the codes of round-half-up (Math.round) + clip for ties, tiny values, NaN and ±Infinity, at any channel count and data offset', () => {
    const special = [0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 1e-30, -1e-30, 32766.5, 32767.5, -32767.5, -32768.5, 8388606.5, 8388607.5, -8388608.5, Number.NaN, Infinity, -Infinity];
    const rand = seededRandom(77);
    for (const bits of [16, 24] as const) {
      const scale = 2 ** (bits - 1);
      const values = [...special.map((v) => Math.fround(v / scale)), ...Array.from({ length: 400 }, () => Math.fround((rand() * 2.2 - 1.1) * (rand() < 0.5 ? 1 : 1e-3)))];
      for (const c of [1, 2, 3]) {
        for (const tags of [undefined, { title: 'ab' }, { title: 'abcd' }]) {
          const channels = Array.from({ length: c }, (_, k) => Float32Array.from(values, (_, i) => values[(i + 7 * k) % values.length]));
          const bytes = encodeWav({ sampleRate: 44100, channels }, { bitDepth: bits, tags });
          const view = new DataView(bytes.buffer);
          const off = bytes.length - values.length * c * (bits / 8) - ((values.length * c * (bits / 8)) & 1);
          for (let i = 0; i < values.length; i++) {
            for (let k = 0; k < c; k++) {
              let want = Math.round(channels[k][i] * scale);
              want = want > scale - 1 ? scale - 1 : want < -scale ? -scale : want || 0;
              const at = off + (i * c + k) * (bits / 8);
              const got = bits === 16 ? view.getInt16(at, true) : ((view.getUint16(at, true) | (view.getUint8(at + 2) << 16)) << 8) >> 8;
              if (got !== want) expect({ bits, c, i, k, x: channels[k][i], got }).toEqual({ bits, c, i, k, x: channels[k][i], got: want });
            }
          }
        }
      }
    }
  });

  it('writes WAVE_FORMAT_EXTENSIBLE for more than 2 channels, readable back', async () => {
    const audio: AudioBuffer = { sampleRate: 48000, channels: Array.from({ length: 6 }, (_, k) => sine(100 * (k + 1), 48000, 256)) };
    const bytes = encodeWav(audio, { bitDepth: 24 });
    expect(new DataView(bytes.buffer).getUint16(20, true)).toBe(0xfffe);
    const back = await decodeAudio(bytes);
    expect(back.info).toMatchObject({ channelCount: 6, codec: 'pcm_s24' });
    expect(back.audio.channels[5][10]).toBeCloseTo(audio.channels[5][10], 6);
  });

  it('a 3-minute stereo 16-bit WAV decodes to the right length and values (speed: bench/decode.ts)', async () => {
    const frames = 44100 * 180;
    const saw = (period: number) => {
      const x = new Float32Array(frames);
      for (let i = 0; i < frames; i++) x[i] = (i % period) / period - 0.5;
      return x;
    };
    const audio: AudioBuffer = { sampleRate: 44100, channels: [saw(100), saw(173)] };
    const { audio: out, info } = await decodeAudio(encodeWav(audio));
    expect(info.durationSec).toBe(180);
    expect(out.channels[1].length).toBe(frames);
    expect(Math.abs(out.channels[1][frames - 7] - audio.channels[1][frames - 7])).toBeLessThanOrEqual(0.5 / 32768);
  });
});
