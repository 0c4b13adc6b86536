/**
 * aubio (P. Brossier, "Automatic annotation of musical audio for interactive applications", PhD
 * thesis, QMUL 2006; GPL-3.0, compiled to WebAssembly by aubiojs, used only as a benchmark peer,
 * never shipped in the app): its tempo tracker, as `aubio beat` runs it — spectral-flux onset
 * detection over 1024-sample windows every 512 samples, the beat period from the autocorrelation
 * of the detection function and context-dependent beat prediction (Davies & Plumbley 2007).
 *
 * The mono signal is fed one hop at a time. aubio's tempo object returns, for the hop where it
 * places a beat, the beat's position within the hop (0..1), else 0; the beat time is the hop's
 * first sample plus that fraction of a hop (what aubio_tempo_get_last reports). The tempo is
 * aubio's BPM after the whole signal. aubio estimates no downbeats, key, tuning, chords or
 * sections. Times in seconds.
 */
import aubioImport, { type Aubio } from 'aubiojs';
import type { BeatEvent, TempoEstimate } from '../../shared/contracts/music.js';

export interface AubioPeerResult {
  tempo: TempoEstimate | null;
  beats: BeatEvent[];
  wallSec: number;
}

// A CommonJS module whose types declare an ES default export; its WebAssembly compiled once.
let aubio: Promise<Aubio> | undefined;
const loadAubio = (): Promise<Aubio> => (aubio ??= (aubioImport as unknown as () => Promise<Aubio>)());

const BUFFER_SIZE = 1024;
const HOP_SIZE = 512;

export async function analyzeWithAubio(mono: Float32Array, sampleRate: number): Promise<AubioPeerResult> {
  const t0 = performance.now();
  const { Tempo } = await loadAubio();
  const tracker = new Tempo(BUFFER_SIZE, HOP_SIZE, sampleRate);
  const beats: BeatEvent[] = [];
  for (let i = 0; i + HOP_SIZE <= mono.length; i += HOP_SIZE) {
    const within = tracker.do(mono.subarray(i, i + HOP_SIZE));
    if (within > 0) beats.push({ timeSec: (i + within * HOP_SIZE) / sampleRate, positionInBar: 0 });
  }
  const bpm = tracker.getBpm();
  const tempo = Number.isFinite(bpm) && bpm > 0 ? { bpm, confidence: Math.min(1, Math.max(0, tracker.getConfidence())) } : null;
  return { tempo, beats, wallSec: (performance.now() - t0) / 1000 };
}
