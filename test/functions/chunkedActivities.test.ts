/**
 * The chunked-separation activities on an in-memory store with the fake core (stems = known
 * gains of the mix): prepareAudio plans chunks only for long mixes, separateChunk reads just its
 * region, and joinStems writes the same WAV bytes as a one-activity separateStems.
 */
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../shared/audio/wav.js';
import { BadInputError } from '../../shared/errors.js';
import { prepareAudioActivity } from '../../functions/activities/prepareAudio.js';
import { separateChunkActivity } from '../../functions/activities/separateChunk.js';
import { joinStemsActivity } from '../../functions/activities/joinStems.js';
import { separateStemsActivity } from '../../functions/activities/separateStems.js';
import { analyzeMixActivity } from '../../functions/activities/analyzeMix.js';
import { decodeWav } from '../../shared/audio/wav.js';
import { encodeWorkPcm } from '../../shared/storage/pcm.js';
import { sine, testConfig, testContext } from './fakes.js';

async function prepared(env: Record<string, string>, seconds: number, channels = 2) {
  const ctx = testContext({ config: testConfig(env) });
  const audio = sine(seconds, 8000, channels, 330);
  const { etag } = await ctx.memoryBlobs.write('song.wav', encodeWav(audio, { bitDepth: 16 }), 'audio/wav');
  const out = await prepareAudioActivity.run({ audioFileId: 'song', blobName: 'song.wav', etag }, ctx);
  return { ctx, out };
}

describe('chunked separation activities', () => {
  it('plans chunks only for a mix longer than STEMFLOW_SEPARATION_CHUNK_SEC, and none when it is 0', async () => {
    expect((await prepared({ STEMFLOW_SEPARATION_CHUNK_SEC: '1' }, 3.5)).out.separationRegions).toHaveLength(4);
    expect((await prepared({ STEMFLOW_SEPARATION_CHUNK_SEC: '5' }, 3.5)).out.separationRegions).toBeNull();
    expect((await prepared({ STEMFLOW_SEPARATION_CHUNK_SEC: '0' }, 3.5)).out.separationRegions).toBeNull();
  });

  for (const [name, env, channels] of [
    ['stereo, 16-bit stems', { STEMFLOW_STEM_BIT_DEPTH: '16' }, 2],
    ['mono, 24-bit stems of an odd byte count (RIFF pad byte)', { STEMFLOW_STEM_BIT_DEPTH: '24' }, 1],
  ] as const) {
    it(`joins chunk parts into the bytes a one-activity separation writes: ${name}`, async () => {
      const { ctx, out } = await prepared({ STEMFLOW_SEPARATION_CHUNK_SEC: '1', ...env }, 3.5001, channels);
      const regions = out.separationRegions!;
      const parts = [];
      for (const [index, region] of regions.entries()) parts.push(await separateChunkActivity.run({ audioFileId: 'song', mixPath: out.mixPath, index, region }, ctx));
      const joined = await joinStemsActivity.run({ audioFileId: 'song', parts }, ctx);
      const joinedBytes = Object.fromEntries(await Promise.all(Object.entries(joined.stems).map(async ([s, p]) => [s, (await ctx.memoryBlobs.read(p)).bytes])));
      const oneRun = await separateStemsActivity.run({ audioFileId: 'song', mixPath: out.mixPath }, ctx);
      expect(Object.keys(joined.stems).sort()).toEqual(['bass', 'drums', 'other', 'vocals']);
      for (const [stem, path] of Object.entries(oneRun.stems)) {
        expect(Buffer.from(joinedBytes[stem]).equals((await ctx.memoryBlobs.read(path)).bytes)).toBe(true);
      }
    });
  }

  it('rejects a chunk that reads past the end of the mix, naming both frame counts', async () => {
    const { ctx, out } = await prepared({}, 1);
    const region = { coreStart: 0, coreEnd: 8000, readStart: 0, readEnd: 9000 };
    const err = await separateChunkActivity.run({ audioFileId: 'song', mixPath: out.mixPath, index: 0, region }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(/reads up to frame 9000, but song\/work\/mix.pcm has 8000 frames/);
  });

  it('rejects an inverted region at the edge, before reading anything', async () => {
    const { ctx, out } = await prepared({}, 1);
    const bad = { audioFileId: 'song', mixPath: out.mixPath, index: 0, region: { coreStart: 500, coreEnd: 400, readStart: 0, readEnd: 600 } };
    await expect(Promise.resolve().then(() => separateChunkActivity.handler(bad, ctx))).rejects.toThrow(/readStart ≤ coreStart < coreEnd ≤ readEnd/);
  });

  it('refuses to join when a chunk lacks a stem', async () => {
    const { ctx, out } = await prepared({ STEMFLOW_SEPARATION_CHUNK_SEC: '0.5' }, 1.2);
    const regions = out.separationRegions!;
    const parts = [];
    for (const [index, region] of regions.entries()) parts.push(await separateChunkActivity.run({ audioFileId: 'song', mixPath: out.mixPath, index, region }, ctx));
    delete (parts[1].parts as Record<string, string>).bass;
    await expect(joinStemsActivity.run({ audioFileId: 'song', parts }, ctx)).rejects.toThrow(/chunk 1 has no part for stem bass/);
  });

  it('writes the working PCM of a long upload piece by piece into exactly the one-shot encoding', async () => {
    // 25 s at 8 kHz: three 10 s pieces, each channel staged on its own
    const audio = sine(25, 8000, 2, 330);
    const { ctx } = await prepared({}, 25);
    const written = (await ctx.memoryBlobs.read('song/work/mix.pcm')).bytes;
    const whole = encodeWorkPcm(decodeWav(encodeWav(audio, { bitDepth: 16 })).audio, 'f32');
    expect(Buffer.from(written).equals(whole)).toBe(true);
  });

  it('analyses a working PCM read in ranges, and refuses one whose size disagrees with its header', async () => {
    const { ctx, out } = await prepared({}, 12);
    const ok = await analyzeMixActivity.run({ audioFileId: 'song', mixPath: out.mixPath }, ctx);
    expect(ok.summary.duration_seconds).toBeGreaterThan(0);
    const { bytes } = await ctx.memoryBlobs.read(out.mixPath);
    await ctx.memoryBlobs.write(out.mixPath, bytes.subarray(0, bytes.length - 8), 'application/octet-stream');
    await expect(analyzeMixActivity.run({ audioFileId: 'song', mixPath: out.mixPath }, ctx)).rejects.toThrow(/song\/work\/mix.pcm is 768012 bytes, its header says 768020/);
  });
});
