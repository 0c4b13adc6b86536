/**
 * essentia.js (Essentia 2.1-beta6 compiled to WebAssembly; AGPL-3.0, used only as a benchmark
 * peer, never shipped in the app) run in the same Node process as stemflow's own analysis:
 * - RhythmExtractor2013 (Zapata, Davies & Gómez, "Multi-feature beat tracking", IEEE/ACM TASLP
 *   2014, method 'multifeature'; Degara et al., IEEE SPL 2012, method 'degara'): BPM, beat ticks;
 * - KeyExtractor (HPCP, Gómez 2006, correlated with the 'bgate', 'edma', 'krumhansl' and
 *   'temperley' key profiles);
 * - TuningFrequencyExtractor: A4 in Hz (its histogram accumulates over frames, so the last frame's
 *   value is the whole-signal estimate);
 * - ChordsDetectionBeats on 36-bin HPCP frames computed with essentia's TonalExtractor chain
 *   (FrameCutter 4096/2048 → Windowing blackmanharris62 → Spectrum → SpectralPeaks → HPCP with
 *   the estimated tuning as reference), one major/minor triad per inter-beat segment of the
 *   multifeature ticks (falls back to the degara ticks when only that method runs).
 * Input: mono Float32Array at 44.1 kHz (RhythmExtractor2013 works at that rate only).
 * Essentia does not track downbeats: beats carry positionInBar 0 (unknown). A BPM outside the
 * requested range (degara returns ~738 BPM on silence) is reported as tempo null with no beats.
 * An algorithm that throws inside the WASM module leaves its result empty and is listed in
 * `errors`; the others still run. Every WASM vector allocated here
 * is freed before returning (essentia.js leaks otherwise). Wall times are in seconds.
 */
import { createRequire } from 'node:module';
import type { BeatEvent, ChordEvent, KeyEstimate, MusicDescription, TempoEstimate } from '../../shared/contracts/music.js';
import { parsePitchClass } from '../../shared/music/pitch.js';
import { toHarte } from '../../shared/music/harte.js';

export type EssentiaRhythmMethod = 'multifeature' | 'degara';
export type EssentiaKeyProfile = 'bgate' | 'edma' | 'krumhansl' | 'temperley';

export interface EssentiaPeerOptions {
  /** Default ['multifeature', 'degara']. */
  rhythmMethods?: EssentiaRhythmMethod[];
  /** Default ['bgate', 'edma', 'krumhansl', 'temperley']. */
  keyProfiles?: EssentiaKeyProfile[];
  /** Run TuningFrequencyExtractor; default true (when false, chords use 440 Hz). */
  tuning?: boolean;
  /** Run the HPCP + ChordsDetectionBeats chain; default true. */
  chords?: boolean;
  /** Tempo search range, BPM; defaults 40 and 208 (essentia's). */
  minTempoBpm?: number;
  maxTempoBpm?: number;
}

export interface EssentiaRhythmResult {
  tempo: TempoEstimate | null;
  beats: BeatEvent[];
  wallTimeSec: number;
}

export interface EssentiaKeyResult {
  key: KeyEstimate | null;
  wallTimeSec: number;
}

export type EssentiaDescription = Pick<MusicDescription, 'tempo' | 'beats' | 'key' | 'tuningHz' | 'chords'>;

export interface EssentiaPeerResult {
  /** Essentia's defaults: multifeature rhythm (else degara), bgate key (else the first profile run). */
  description: EssentiaDescription;
  rhythm: Partial<Record<EssentiaRhythmMethod, EssentiaRhythmResult>>;
  key: Partial<Record<EssentiaKeyProfile, EssentiaKeyResult>>;
  tuningHz: number;
  chords: ChordEvent[];
  /** Wall time per algorithm, s: 'rhythm:multifeature', 'key:edma', 'tuning', 'chords' (HPCP chain + detection). */
  wallTimeSec: Record<string, number>;
  /** Algorithms that threw inside the WASM module (their results are left empty), e.g. "chords: …". */
  errors: string[];
}

/** The essentia.js sample rate this peer accepts, Hz. */
export const ESSENTIA_SAMPLE_RATE = 44100;

/** An embind std::vector. */
interface WasmVector {
  size(): number;
  get(i: number): unknown;
  push_back(x: unknown): void;
  delete(): void;
}

interface EssentiaCore {
  version: string;
  arrayToVector(x: Float32Array): WasmVector;
  vectorToArray(v: WasmVector): Float32Array;
  RhythmExtractor2013(signal: WasmVector, maxTempo: number, method: string, minTempo: number): {
    bpm: number;
    ticks: WasmVector;
    confidence: number;
    estimates: WasmVector;
    bpmIntervals: WasmVector;
  };
  KeyExtractor(audio: WasmVector, ...rest: unknown[]): { key: string; scale: string; strength: number };
  TuningFrequencyExtractor(signal: WasmVector, frameSize?: number, hopSize?: number): Record<string, WasmVector>;
  FrameGenerator(audio: Float32Array, frameSize: number, hopSize: number): WasmVector;
  Windowing(frame: unknown, normalized: boolean, size: number, type: string, zeroPadding: number, zeroPhase: boolean): { frame: WasmVector };
  Spectrum(frame: WasmVector, size: number): { spectrum: WasmVector };
  SpectralPeaks(
    spectrum: WasmVector,
    magnitudeThreshold: number,
    maxFrequency: number,
    maxPeaks: number,
    minFrequency: number,
    orderBy: string,
    sampleRate: number,
  ): { frequencies: WasmVector; magnitudes: WasmVector };
  HPCP(frequencies: WasmVector, magnitudes: WasmVector, ...rest: unknown[]): { hpcp: WasmVector };
  ChordsDetectionBeats(pcp: WasmVector, ticks: WasmVector, chromaPick: string, hopSize: number, sampleRate: number): { chords: WasmVector; strength: WasmVector };
}

interface EssentiaRuntime {
  core: EssentiaCore;
  newVectorVectorFloat(): WasmVector;
}

let runtime: EssentiaRuntime | undefined;

/**
 * Load essentia.js once per process. The Emscripten module in the UMD build embeds its wasm and
 * initialises synchronously under Node, so no await is needed.
 */
export function loadEssentia(): EssentiaRuntime {
  if (!runtime) {
    const require = createRequire(import.meta.url);
    const wasm = require('essentia.js/dist/essentia-wasm.umd.js') as { VectorVectorFloat: new () => WasmVector };
    const Core = require('essentia.js/dist/essentia.js-core.umd.js') as new (wasmModule: unknown) => EssentiaCore;
    const core = new Core(wasm);
    runtime = { core, newVectorVectorFloat: () => new wasm.VectorVectorFloat() };
  }
  return runtime;
}

/** Run `fn` and return its result with the elapsed wall time in seconds. */
function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, (performance.now() - t0) / 1000];
}

function vectorToStrings(v: WasmVector): string[] {
  const out: string[] = [];
  for (let i = 0; i < v.size(); i++) out.push(String(v.get(i)));
  return out;
}

/** Essentia's chord name ("A#", "Bm", "C") as a Harte label; unknown names become "X". */
function essentiaChordToHarte(name: string): string {
  try {
    return toHarte(name);
  } catch {
    return 'X';
  }
}

function runRhythm(core: EssentiaCore, signal: WasmVector, method: EssentiaRhythmMethod, minBpm: number, maxBpm: number): { result: EssentiaRhythmResult; ticks: Float32Array } {
  const [r, wallTimeSec] = timed(() => core.RhythmExtractor2013(signal, maxBpm, method, minBpm));
  const ticks = core.vectorToArray(r.ticks).slice();
  r.ticks.delete();
  r.estimates.delete();
  r.bpmIntervals.delete();
  // multifeature confidence is in [0, 5.32] (Zapata et al. 2012); degara always returns 0.
  const confidence = method === 'multifeature' ? Math.min(1, Math.max(0, r.confidence / 5.32)) : 0;
  // A BPM outside the requested range is degenerate output (degara reports ~738 BPM on silence).
  const valid = Number.isFinite(r.bpm) && r.bpm >= minBpm && r.bpm <= maxBpm && ticks.length > 1;
  const tempo = valid ? { bpm: r.bpm, confidence } : null;
  const beats = valid ? Array.from(ticks, (t) => ({ timeSec: t, positionInBar: 0 })) : [];
  return { result: { tempo, beats, wallTimeSec }, ticks: valid ? ticks : new Float32Array(0) };
}

function runKey(core: EssentiaCore, signal: WasmVector, profile: EssentiaKeyProfile): EssentiaKeyResult {
  const [k, wallTimeSec] = timed(() =>
    core.KeyExtractor(signal, true, 4096, 4096, 12, 3500, 60, 25, 0.2, profile, ESSENTIA_SAMPLE_RATE, 0.0001, 440, 'cosine', 'hann'),
  );
  const tonic = parsePitchClass(k.key);
  const key: KeyEstimate | null =
    tonic === undefined || !(k.strength > 0) ? null : { tonic, mode: k.scale === 'minor' ? 'minor' : 'major', confidence: Math.min(1, Math.max(0, k.strength)) };
  return { key, wallTimeSec };
}

function runTuning(core: EssentiaCore, signal: WasmVector): number {
  const out = core.TuningFrequencyExtractor(signal, 4096, 2048);
  let hz = 440;
  for (const v of Object.values(out)) {
    if (v && typeof v.delete === 'function') {
      if (v === out.tuningFrequency) {
        const values = core.vectorToArray(v);
        const last = values[values.length - 1];
        if (Number.isFinite(last) && last > 0) hz = last;
      }
      v.delete();
    }
  }
  return hz;
}

function runChords(rt: EssentiaRuntime, mono: Float32Array, ticks: Float32Array, tuningHz: number, durationSec: number): ChordEvent[] {
  const { core } = rt;
  if (ticks.length < 2) return [];
  const frameSize = 4096;
  const hopSize = 2048;
  const frames = core.FrameGenerator(mono, frameSize, hopSize);
  const pcp = rt.newVectorVectorFloat();
  try {
    for (let i = 0; i < frames.size(); i++) {
      // Every embind get() / result vector is a new handle that must be deleted.
      const frame = frames.get(i) as WasmVector;
      const w = core.Windowing(frame, true, frameSize, 'blackmanharris62', 0, true);
      const s = core.Spectrum(w.frame, frameSize);
      const p = core.SpectralPeaks(s.spectrum, 0.00001, 5000, 10000, 40, 'magnitude', ESSENTIA_SAMPLE_RATE);
      // bandPreset, bandSplitFrequency, harmonics, maxFrequency, maxShifted, minFrequency, nonLinear,
      // normalized, referenceFrequency, sampleRate, size, weightType, windowSize
      const h = core.HPCP(p.frequencies, p.magnitudes, true, 500, 8, 5000, false, 40, true, 'unitMax', tuningHz, ESSENTIA_SAMPLE_RATE, 36, 'cosine', 1);
      pcp.push_back(h.hpcp); // copies
      h.hpcp.delete();
      frame.delete();
      w.frame.delete();
      s.spectrum.delete();
      p.frequencies.delete();
      p.magnitudes.delete();
    }
    const tickVector = core.arrayToVector(ticks);
    const det = core.ChordsDetectionBeats(pcp, tickVector, 'interbeat_median', hopSize, ESSENTIA_SAMPLE_RATE);
    const labels = vectorToStrings(det.chords);
    const strength = core.vectorToArray(det.strength).slice();
    det.chords.delete();
    det.strength.delete();
    tickVector.delete();
    // One chord per inter-beat segment [ticks[i], ticks[i+1]).
    const chords: ChordEvent[] = [];
    for (let i = 0; i < labels.length && i + 1 < ticks.length; i++) {
      const start = ticks[i];
      const end = Math.min(durationSec, ticks[i + 1]);
      if (!(end > start)) continue;
      chords.push({ startSec: start, endSec: end, label: essentiaChordToHarte(labels[i]), confidence: Math.min(1, Math.max(0, strength[i] ?? 0)) });
    }
    return mergeRepeatedChords(chords);
  } finally {
    pcp.delete();
    frames.delete();
  }
}

/** Join consecutive segments with the same label (confidence = duration-weighted mean). */
function mergeRepeatedChords(chords: ChordEvent[]): ChordEvent[] {
  const out: ChordEvent[] = [];
  for (const c of chords) {
    const last = out[out.length - 1];
    if (last && last.label === c.label && Math.abs(last.endSec - c.startSec) < 1e-6) {
      const d1 = last.endSec - last.startSec;
      const d2 = c.endSec - c.startSec;
      last.confidence = (last.confidence * d1 + c.confidence * d2) / (d1 + d2);
      last.endSec = c.endSec;
    } else out.push({ ...c });
  }
  return out;
}

/**
 * Analyse a mono 44.1 kHz signal with essentia.js. Throws an Error naming the rate when
 * `sampleRate` is not 44100 (resample first).
 */
export function analyzeWithEssentia(mono: Float32Array, sampleRate: number, options: EssentiaPeerOptions = {}): EssentiaPeerResult {
  if (sampleRate !== ESSENTIA_SAMPLE_RATE) {
    throw new Error(`essentia.js peer needs ${ESSENTIA_SAMPLE_RATE} Hz mono input (got ${sampleRate} Hz); resample first`);
  }
  const rt = loadEssentia();
  const { core } = rt;
  const methods = options.rhythmMethods ?? ['multifeature', 'degara'];
  const profiles = options.keyProfiles ?? ['bgate', 'edma', 'krumhansl', 'temperley'];
  const minBpm = options.minTempoBpm ?? 40;
  const maxBpm = options.maxTempoBpm ?? 208;
  const durationSec = mono.length / sampleRate;
  const wallTimeSec: Record<string, number> = {};
  const rhythm: EssentiaPeerResult['rhythm'] = {};
  const key: EssentiaPeerResult['key'] = {};
  const ticksByMethod: Partial<Record<EssentiaRhythmMethod, Float32Array>> = {};

  const errors: string[] = [];
  /** Essentia's C++ exceptions reach JS as bare numbers (pointers): name the algorithm instead. */
  const guarded = <T>(name: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      errors.push(`${name}: ${err instanceof Error ? err.message : `essentia exception ${String(err)}`}`);
      return undefined;
    }
  };

  const signal = core.arrayToVector(mono);
  try {
    for (const method of methods) {
      const out = guarded(`rhythm:${method}`, () => runRhythm(core, signal, method, minBpm, maxBpm));
      rhythm[method] = out?.result ?? { tempo: null, beats: [], wallTimeSec: 0 };
      ticksByMethod[method] = out?.ticks ?? new Float32Array(0);
      wallTimeSec[`rhythm:${method}`] = rhythm[method]!.wallTimeSec;
    }
    for (const profile of profiles) {
      key[profile] = guarded(`key:${profile}`, () => runKey(core, signal, profile)) ?? { key: null, wallTimeSec: 0 };
      wallTimeSec[`key:${profile}`] = key[profile]!.wallTimeSec;
    }
    let tuningHz = 440;
    if (options.tuning ?? true) {
      const [hz, t] = timed(() => guarded('tuning', () => runTuning(core, signal)));
      tuningHz = hz ?? 440;
      wallTimeSec.tuning = t;
    }
    let chords: ChordEvent[] = [];
    const ticks = ticksByMethod.multifeature?.length ? ticksByMethod.multifeature : ticksByMethod.degara;
    if ((options.chords ?? true) && ticks && ticks.length > 1) {
      const [c, t] = timed(() => guarded('chords', () => runChords(rt, mono, ticks, tuningHz, durationSec)));
      chords = c ?? [];
      wallTimeSec.chords = t;
    }
    const mainRhythm = rhythm.multifeature ?? rhythm.degara;
    const mainKey = key.bgate ?? key[profiles[0]];
    return {
      description: { tempo: mainRhythm?.tempo ?? null, beats: mainRhythm?.beats ?? [], key: mainKey?.key ?? null, tuningHz, chords },
      rhythm,
      key,
      tuningHz,
      chords,
      wallTimeSec,
      errors,
    };
  } finally {
    signal.delete();
  }
}

/**
 * Every rhythm-method × key-profile combination that ran, as its own description named e.g.
 * 'essentia:multifeature/edma', so a benchmark can score "essentia.js in all its variants".
 * Tuning and chords are shared by all variants.
 */
export function essentiaVariants(result: EssentiaPeerResult): Array<{ name: string; description: EssentiaDescription }> {
  const out: Array<{ name: string; description: EssentiaDescription }> = [];
  for (const [method, rhythm] of Object.entries(result.rhythm)) {
    for (const [profile, key] of Object.entries(result.key)) {
      if (!rhythm || !key) continue;
      out.push({
        name: `essentia:${method}/${profile}`,
        description: { tempo: rhythm.tempo, beats: rhythm.beats, key: key.key, tuningHz: result.tuningHz, chords: result.chords },
      });
    }
  }
  return out;
}
