/**
 * The analysis signal: mono audio at the analysis sample rate, with memoised magnitude
 * spectrograms, so every MIR algorithm shares the same STFTs instead of computing its own.
 *
 * Memory stays bounded on long inputs: a spectrogram larger than {@link SPECTROGRAM_CACHE_BYTES}
 * is never held whole. Algorithms that reduce each frame to a few numbers (mel bands, chroma,
 * MFCCs) ask for {@link AnalysisSignal.frameFeatures}, which then visits the spectrogram a block
 * of frames at a time, recomputing the STFT per caller instead of keeping it (a 60-minute signal's
 * 2048/512 magnitudes alone would take 640 MB). The features are the same numbers either way.
 */
import { stftFrameCount, stftMagnitude } from '../dsp/stft.js';
import { frameRms, loudOf } from './level.js';

/** Sample rate every MIR algorithm works at, Hz. Inputs are resampled to it once. */
export const ANALYSIS_SAMPLE_RATE = 22050;

export interface MagnitudeSpectrogram {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  numFrames: number;
  numBins: number;
  /** |X|, frame-major: mag[t * numBins + k]. */
  mag: Float32Array;
}

/** Largest magnitude spectrogram kept whole, bytes (256 MiB: 2048/512 frames of ~24 min at 22 050 Hz). */
export const SPECTROGRAM_CACHE_BYTES = 256 * 1024 * 1024;

/** Most frames per block when a spectrogram is visited in blocks (4096 × 1025 bins ≈ 16 MiB). */
const MAX_BLOCK_FRAMES = 4096;

export class AnalysisSignal {
  private readonly cache = new Map<string, MagnitudeSpectrogram>();
  private readonly features = new Map<string, Float32Array>();
  private rms: Float64Array | undefined;
  private loud: number | undefined;

  /**
   * @param mono mono samples in [-1, 1]
   * @param sampleRate Hz (normally {@link ANALYSIS_SAMPLE_RATE})
   * @param cacheBytes largest spectrogram kept whole (default {@link SPECTROGRAM_CACHE_BYTES})
   */
  constructor(
    readonly mono: Float32Array,
    readonly sampleRate: number,
    private readonly cacheBytes = SPECTROGRAM_CACHE_BYTES,
  ) {}

  /** RMS of the signal's frames of level.ts `LEVEL_FRAME_SEC` ({@link frameRms}), memoised: the loud level and the silent gaps read it. */
  frameRms(): Float64Array {
    this.rms ??= frameRms(this.mono, this.sampleRate);
    return this.rms;
  }

  /** Loud level of the signal (level.ts {@link loudOf} of its {@link frameRms}), memoised. */
  loudLevel(): number {
    this.loud ??= loudOf(this.frameRms());
    return this.loud;
  }

  /** Frames of the (nFft, hop) spectrogram: centred frames, `stftFrameCount`. */
  frameCount(hopLength: number): number {
    return stftFrameCount(this.mono.length, hopLength);
  }

  /** Whether the (nFft, hop) magnitude spectrogram is small enough to be held whole. */
  holdsWhole(nFft: number, hopLength: number): boolean {
    return this.frameCount(hopLength) * ((nFft >> 1) + 1) * 4 <= this.cacheBytes;
  }

  /**
   * Per-frame features of the (nFft, hop) magnitude spectrogram, memoised under `key`: `perFrame`
   * maps a spectrogram (the whole one, or a block of its frames with the same values) to
   * `dim` numbers per frame, frame-major, and must treat every frame on its own. Returns
   * frameCount × dim values.
   */
  frameFeatures(key: string, nFft: number, hopLength: number, dim: number, perFrame: (spec: MagnitudeSpectrogram) => Float32Array): Float32Array {
    const memoKey = `${key}@${nFft}/${hopLength}`;
    const known = this.features.get(memoKey);
    if (known) return known;
    let out: Float32Array;
    if (this.holdsWhole(nFft, hopLength)) {
      out = perFrame(this.magnitude(nFft, hopLength));
    } else {
      const numFrames = this.frameCount(hopLength);
      // A block takes at most a sixteenth of the cache budget.
      const blockFrames = Math.max(16, Math.min(MAX_BLOCK_FRAMES, Math.floor(this.cacheBytes / 16 / (((nFft >> 1) + 1) * 4))));
      out = new Float32Array(numFrames * dim);
      for (let first = 0; first < numFrames; first += blockFrames) {
        const s = stftMagnitude(this.mono, { nFft, hopLength }, { firstFrame: first, frameCount: blockFrames });
        const block = perFrame({ sampleRate: this.sampleRate, nFft, hopLength, numFrames: s.numFrames, numBins: s.numBins, mag: s.mag });
        if (block.length !== s.numFrames * dim) throw new RangeError(`frame features "${key}" gave ${block.length} values for ${s.numFrames} frames × ${dim}`);
        out.set(block, first * dim);
      }
    }
    this.features.set(memoKey, out);
    return out;
  }

  get durationSec(): number {
    return this.mono.length / this.sampleRate;
  }

  /**
   * Magnitude spectrogram with a periodic Hann window and centred frames; computed once per
   * (nFft, hop) when it fits the cache budget ({@link holdsWhole}), else on every call (prefer
   * {@link frameFeatures} for long signals).
   */
  magnitude(nFft: number, hopLength: number): MagnitudeSpectrogram {
    const key = `${nFft}/${hopLength}`;
    let m = this.cache.get(key);
    if (!m) {
      const s = stftMagnitude(this.mono, { nFft, hopLength });
      m = { sampleRate: this.sampleRate, nFft, hopLength, numFrames: s.numFrames, numBins: s.numBins, mag: s.mag };
      if (this.holdsWhole(nFft, hopLength)) this.cache.set(key, m);
    }
    return m;
  }
}
