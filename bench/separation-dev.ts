/**
 * Separation dev bench: SDR of the 'dsp-masks' separator against the true stems of rendered songs,
 * with two baselines in the same run — plain median-filter HPSS with shared/separation/hpss.ts
 * defaults (harmonic → other, percussive → drums, vocals = bass = 0, soft masks H²/(H²+P²)) and the oracle ideal ratio mask (|S_j|² / Σ|S_i|² from the true stems'
 * STFTs, nFft 2048, hop 512).
 *
 * SDR = 10·log10(Σ s² / Σ (s − ŝ)²) over all channels of a stem (plain SDR as in MDX 2021, no
 * allowed distortion filter; bench/metrics/separation.ts). Seeds 1..10 are the tuning set; seeds 1000..1004 are held out (never tuned on)
 * and reported separately.
 *
 * Usage: npx tsx bench/separation-dev.ts [--seeds 1-10] [--heldout 1000-1004] [--duration 60]
 *        [--options '{"hopFraction":0.5}'] [--no-baselines] [--no-heldout] [--synthetic]
 *        npx tsx bench/separation-dev.ts --speed [--duration 180]   (time one long song, peak RSS)
 */
import type { AudioBuffer } from '../shared/audio/types.js';
import { stftPair, istftPair } from '../shared/separation/pairStft.js';
import { separateByMasks, DSP_STEMS, type DspSeparatorOptions, type DspStem } from '../shared/separation/dsp.js';
import { enhanceHarmonicPercussive } from '../shared/separation/hpss.js';
import type { Stft } from '../shared/dsp/stft.js';
import { renderSyntheticMix } from '../test/separation/fixtures.js';
import { signalToDistortionRatio } from './metrics/separation.js';

interface Song {
  mix: AudioBuffer;
  stems: Record<DspStem, AudioBuffer>;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseRange(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let s = a; s <= (b ?? a); s++) out.push(s);
  }
  return out;
}

type RenderSong = (seed: number, options?: { durationSec?: number }) => { mix: AudioBuffer; stems: Record<string, AudioBuffer> };

async function loadRenderer(): Promise<{ name: string; render: (seed: number, durationSec: number) => Song }> {
  if (!process.argv.includes('--synthetic')) {
    try {
      const modulePath = '../shared/generation/song.js';
      const mod = (await import(modulePath)) as { renderSong?: RenderSong };
      if (typeof mod.renderSong === 'function') {
        const renderSong = mod.renderSong;
        return {
          name: 'renderSong',
          render: (seed, durationSec) => {
            const song = renderSong(seed, { durationSec });
            const stems = {} as Record<DspStem, AudioBuffer>;
            for (const stem of DSP_STEMS) stems[stem] = song.stems[stem];
            return { mix: song.mix, stems };
          },
        };
      }
    } catch (error) {
      console.error(`renderSong unavailable (${(error as Error).message.split('\n')[0]}); using the synthetic fixture`);
    }
  }
  return { name: 'synthetic fixture', render: (seed, durationSec) => renderSyntheticMix({ seed, durationSec }) };
}

/** SDR in dB over all channels (bench/metrics: MDX-2021 plain SDR); NaN when the reference is silent. */
export function sdr(reference: AudioBuffer, estimate: AudioBuffer): number {
  return signalToDistortionRatio(reference.channels, estimate.channels);
}

function masked(spec: Stft, mask: Float32Array): Stft {
  const re = new Float32Array(spec.re.length), im = new Float32Array(spec.im.length);
  for (let i = 0; i < re.length; i++) {
    re[i] = spec.re[i] * mask[i];
    im[i] = spec.im[i] * mask[i];
  }
  return { ...spec, re, im };
}

/** Stereo spectra of an AudioBuffer (mono is duplicated). */
function spectra(audio: AudioBuffer): [Stft, Stft] {
  const l = audio.channels[0], r = audio.channels[1] ?? audio.channels[0];
  return stftPair(l, r, { nFft: 2048, hopLength: 512 });
}

function toBuffer(audio: AudioBuffer, pair: [Float32Array, Float32Array]): AudioBuffer {
  return { sampleRate: audio.sampleRate, channels: audio.channels.length === 1 ? [pair[0]] : [pair[0], pair[1]] };
}

function oracleIrm(song: Song): Record<DspStem, AudioBuffer> {
  const n = song.mix.channels[0].length;
  const [ml, mr] = spectra(song.mix);
  const power: Record<string, [Float32Array, Float32Array]> = {};
  for (const stem of DSP_STEMS) {
    const [l, r] = spectra(song.stems[stem]);
    const pl = new Float32Array(l.re.length), pr = new Float32Array(r.re.length);
    for (let i = 0; i < pl.length; i++) {
      pl[i] = l.re[i] ** 2 + l.im[i] ** 2;
      pr[i] = r.re[i] ** 2 + r.im[i] ** 2;
    }
    power[stem] = [pl, pr];
  }
  const out = {} as Record<DspStem, AudioBuffer>;
  for (const stem of DSP_STEMS) {
    const maskL = new Float32Array(ml.re.length), maskR = new Float32Array(ml.re.length);
    for (let i = 0; i < maskL.length; i++) {
      let tl = 1e-20, tr = 1e-20;
      for (const s of DSP_STEMS) {
        tl += power[s][0][i];
        tr += power[s][1][i];
      }
      maskL[i] = power[stem][0][i] / tl;
      maskR[i] = power[stem][1][i] / tr;
    }
    out[stem] = toBuffer(song.mix, istftPair(masked(ml, maskL), masked(mr, maskR), n));
  }
  return out;
}

function plainHpss(song: Song): Record<DspStem, AudioBuffer> {
  const n = song.mix.channels[0].length;
  const [ml, mr] = spectra(song.mix);
  const mag = new Float32Array(ml.re.length);
  for (let i = 0; i < mag.length; i++) mag[i] = 0.5 * (Math.hypot(ml.re[i], ml.im[i]) + Math.hypot(mr.re[i], mr.im[i]));
  const geometry = { numFrames: ml.numFrames, numBins: ml.numBins, nFft: ml.nFft, hopLength: ml.hopLength, sampleRate: song.mix.sampleRate };
  const { harmonic, percussive } = enhanceHarmonicPercussive(mag, geometry);
  const maskP = new Float32Array(mag.length);
  for (let i = 0; i < mag.length; i++) {
    const h = harmonic[i] ** 2, p = percussive[i] ** 2;
    maskP[i] = h + p > 1e-30 ? p / (h + p) : 0;
  }
  const drums = toBuffer(song.mix, istftPair(masked(ml, maskP), masked(mr, maskP), n));
  const other: AudioBuffer = { sampleRate: song.mix.sampleRate, channels: song.mix.channels.map((m, c) => m.map((x, i) => x - drums.channels[c][i])) };
  const silent: AudioBuffer = { sampleRate: song.mix.sampleRate, channels: song.mix.channels.map((m) => new Float32Array(m.length)) };
  return { vocals: silent, drums, bass: silent, other };
}

const fmt = (x: number): string => (Number.isNaN(x) ? '   n/a' : x.toFixed(2).padStart(6));
const mean = (xs: number[]): number => {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
};

async function evaluate(label: string, seeds: number[], durationSec: number, options: DspSeparatorOptions, baselines: boolean, render: (seed: number, d: number) => Song): Promise<void> {
  const methods = baselines ? ['dsp', 'hpss', 'irm'] : ['dsp'];
  const scores: Record<string, Record<DspStem, number[]>> = {};
  for (const m of methods) scores[m] = { vocals: [], drums: [], bass: [], other: [] };
  let sepSec = 0, audioSec = 0;
  console.log(`\n== ${label}: seeds ${seeds[0]}..${seeds[seeds.length - 1]}, ${durationSec} s each`);
  console.log(`seed  method   vocals  drums   bass  other   mean`);
  for (const seed of seeds) {
    const song = render(seed, durationSec);
    const t0 = performance.now();
    const est = await separateByMasks(song.mix, options);
    sepSec += (performance.now() - t0) / 1000;
    audioSec += song.mix.channels[0].length / song.mix.sampleRate;
    const results: Record<string, Record<DspStem, AudioBuffer>> = { dsp: est };
    if (baselines) {
      results.hpss = plainHpss(song);
      results.irm = oracleIrm(song);
    }
    for (const m of methods) {
      const row = DSP_STEMS.map((stem) => sdr(song.stems[stem], results[m][stem]));
      DSP_STEMS.forEach((stem, j) => scores[m][stem].push(row[j]));
      console.log(`${String(seed).padStart(4)}  ${m.padEnd(6)} ${row.map(fmt).join(' ')} ${fmt(mean(row))}`);
    }
  }
  console.log(`-- ${label} mean over songs`);
  for (const m of methods) {
    const perStem = DSP_STEMS.map((stem) => mean(scores[m][stem]));
    console.log(`mean  ${m.padEnd(6)} ${perStem.map(fmt).join(' ')} ${fmt(mean(perStem))}`);
  }
  console.log(`dsp separation time: ${sepSec.toFixed(2)} s for ${audioSec.toFixed(0)} s of audio (${((sepSec / audioSec) * 180).toFixed(2)} s per 3 min)`);
}

/** Wall and CPU time of one separation of a long song (default 3 min), and the process's peak RSS. */
async function measureSpeed(render: (seed: number, d: number) => Song, durationSec: number, options: DspSeparatorOptions): Promise<void> {
  const song = render(1, durationSec);
  const channels = song.mix.channels.length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = 0;
  await separateByMasks(song.mix, options, { onProgress: (f) => (last = f) });
  const wallSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`speed: ${durationSec} s ${channels}-channel ${song.mix.sampleRate} Hz song separated in ${wallSec.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU; progress reached ${last}; peak RSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (includes the rendered stems)`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--speed')) {
    const { name, render } = await loadRenderer();
    console.log(`songs: ${name}`);
    await measureSpeed(render, Number(argValue('--duration') ?? 180), JSON.parse(argValue('--options') ?? '{}') as DspSeparatorOptions);
    return;
  }
  const seeds = parseRange(argValue('--seeds') ?? '1-10');
  const heldout = parseRange(argValue('--heldout') ?? '1000-1004');
  const durationSec = Number(argValue('--duration') ?? 60);
  const options = JSON.parse(argValue('--options') ?? '{}') as DspSeparatorOptions;
  const baselines = !process.argv.includes('--no-baselines');
  const { name, render } = await loadRenderer();
  console.log(`songs: ${name}; options: ${JSON.stringify(options)}`);
  await evaluate('tuning set', seeds, durationSec, options, baselines, render);
  if (!process.argv.includes('--no-heldout')) await evaluate('HELD-OUT (never tuned on)', heldout, durationSec, options, baselines, render);
}

await main();
