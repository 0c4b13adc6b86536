import { describe, expect, it } from 'vitest';
import { decodeWorkPcm, encodeWorkPcm } from '../../shared/storage/pcm.js';
import { layout, parseUploadName } from '../../shared/storage/layout.js';
import { sine } from '../functions/fakes.js';

describe('work PCM format (pure)', () => {
  it('round-trips float32 exactly and int16 within one LSB', () => {
    const audio = sine(0.25, 8000, 2);
    const f32 = decodeWorkPcm(encodeWorkPcm(audio, 'f32'));
    expect(f32.sampleRate).toBe(8000);
    expect(f32.channels).toHaveLength(2);
    expect(Array.from(f32.channels[1])).toEqual(Array.from(audio.channels[1]));
    const s16bytes = encodeWorkPcm(audio, 's16');
    expect(s16bytes.byteLength).toBe(20 + 2 * 2 * 2000);
    const s16 = decodeWorkPcm(s16bytes);
    for (let i = 0; i < 2000; i += 97) expect(Math.abs(s16.channels[0][i] - audio.channels[0][i])).toBeLessThan(1.5 / 32767);
  });

  it('accepts empty audio and rejects foreign or truncated bytes with a reason', () => {
    expect(decodeWorkPcm(encodeWorkPcm({ sampleRate: 44100, channels: [new Float32Array(0)] })).channels[0].length).toBe(0);
    expect(() => decodeWorkPcm(new Uint8Array(10))).toThrow(/shorter than its 20-byte header/);
    expect(() => decodeWorkPcm(new Uint8Array(40))).toThrow(/bad magic/);
    const b = encodeWorkPcm(sine(0.01));
    expect(() => decodeWorkPcm(b.subarray(0, b.length - 4))).toThrow(/header says/);
  });
});

describe('blob layout (pure)', () => {
  it('builds the DESIGN paths and refuses unsafe ids', () => {
    expect(layout.stem('song1', 'vocals')).toBe('song1/stems/vocals.wav');
    expect(layout.annotation('song1')).toBe('song1/analysis/annotation.jams');
    expect(layout.generatedStem('gen-1', 'bass', 'song1')).toBe('song1/generated/gen-1/bass.wav');
    expect(layout.generatedStem('gen-1', 'bass')).toBe('generated/gen-1/bass.wav');
    expect(() => layout.stem('../x', 'vocals')).toThrow(/audio_file_id "..\/x"/);
    expect(() => layout.stem('a', '../../x')).toThrow(/stem name/);
    expect(parseUploadName('song1.MP3')).toEqual({ audioFileId: 'song1', extension: 'mp3' });
    for (const n of ['song1/stems/vocals.wav', 'notes.txt', 'a.b.mp3', '.mp3', 'x y.wav']) expect(parseUploadName(n)).toBeUndefined();
  });
});
