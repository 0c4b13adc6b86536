/**
 * The analysis of a file too long to hold decoded: an hour of stereo 44.1 kHz audio is 1.27 GB as
 * float32 and its four 16-bit stem files another 2.5 GB. Same results as {@link analyzeEncoded}
 * (the same JAMS and byte-identical stem files), in memory that does not grow with the mix:
 *
 * 1. Decode piece by piece ({@link openAudioStream}). Each piece feeds the analysis signal
 *    (22 050 Hz mono, 4 bytes per sample: 318 MB for an hour), the loudness meter, and the spill,
 *    where the decoded mix waits for the separation (a temporary file, say).
 * 2. The MIR on the analysis signal; spectrograms too large to keep are visited in blocks
 *    ({@link AnalysisSignal}).
 * 3. The separation, a window of the spill at a time, on every core
 *    ({@link separateWindowsToWav}); each window's stem samples are appended to the stem files.
 *
 * The MIR and the separation run one after the other (the MIR would otherwise hold the thread
 * that hands out the windows), so a long file takes their sum; both are linear in the length.
 * Pure apart from the I/O it is given.
 */
import { AnalysisMonoStream } from '../audio/resample.js';
import { type ByteSource, openAudioStream } from '../audio/stream.js';
import type { AudioInfo } from '../audio/types.js';
import { wavHeader, type WavBitDepth } from '../audio/wav.js';
import { InvalidAudioParametersError } from '../errors.js';
import { LoudnessMeter } from '../mir/loudness.js';
import { startTonalThread, type TonalThread } from '../mir/tonalThread.js';
import { ANALYSIS_SAMPLE_RATE } from '../mir/signal.js';
import { DSP_STEMS, type DspStem } from '../separation/dsp.js';
import { separateWindowsToWav, startSeparationCrew } from '../separation/parallel.js';
import type { MusicDescription } from '../contracts/music.js';
import { buildAnnotation, describeAnalysisSignal, type FileAnalysis, type ProgressFn, type StepTimes } from './analyze.js';

/** Where the decoded mix waits for the separation: pieces appended in order, read back by range. */
export interface MixSpill {
  append(channels: Float32Array[]): Promise<void>;
  /** Frames [start, end) of every channel. */
  read(start: number, end: number): Promise<Float32Array[]>;
}

/** A stem file being written: its bytes arrive in order. */
export interface StemWriter {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface LongAnalysisIO {
  spill: MixSpill;
  openStem(stem: DspStem): Promise<StemWriter>;
}

export interface LongAnalysisOptions {
  /** Separate stems too (default true; needs `io`). */
  separate?: boolean;
  stemBitDepth?: WavBitDepth;
  maxDurationSec?: number;
  /** Seconds of mix separated at once (default 60). */
  windowSec?: number;
  onProgress?: ProgressFn;
}

/** {@link FileAnalysis} without the stems in memory: they were written through the I/O. */
export type LongFileAnalysis = Omit<FileAnalysis, 'stems'> & { stemsWritten: DspStem[] };

/** Decode, analyse and (given `io`) separate a file of any length in bounded memory. */
export async function analyzeLong(source: ByteSource, io: LongAnalysisIO | null, options: LongAnalysisOptions = {}): Promise<LongFileAnalysis> {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => {});
  const separate = (options.separate ?? true) && io !== null;
  progress('decode', 0);
  // The separation threads load while this one decodes and analyses.
  const crew = separate ? startSeparationCrew() : undefined;
  // The MIR runs before the separation, so the second core is free for the tonal features.
  const tonalThread = startTonalThread();
  try {
    const stream = await openAudioStream(source, { maxDurationSec: options.maxDurationSec });
    const { sampleRate, channelCount } = stream.info;
    async function* checked(): AsyncGenerator<Float32Array[]> {
      let at = 0;
      for await (const piece of stream.pieces) {
        if (piece.sampleRate !== sampleRate || piece.channels.length !== channelCount) {
          throw new InvalidAudioParametersError(`the stream changes from ${sampleRate} Hz × ${channelCount} to ${piece.sampleRate} Hz × ${piece.channels.length} at ${(at / sampleRate).toFixed(2)} s`);
        }
        at += piece.channels[0]?.length ?? 0;
        yield piece.channels;
      }
    }
    const { description, frames } = await analyzePieces({ sampleRate, channelCount, frames: stream.expectedFrames, pieces: checked() }, {
      tonalThread,
      onPiece: separate ? (channels) => io.spill.append(channels) : undefined,
      onProgress: (stage, f) => progress(stage, (separate ? 0.4 : 1) * f),
    });
    const info: AudioInfo = { ...stream.info, durationSec: frames / sampleRate };
    const stemsWritten: DspStem[] = [];
    if (separate) {
      progress('separate', 0.4);
      stemsWritten.push(...(await separateToFiles(io, { sampleRate, channelCount, frames }, options.stemBitDepth ?? 16, options.windowSec, crew, (f) => progress('separate', 0.4 + 0.6 * f))));
    }
    crew?.release();
    const wallTimeSec = (performance.now() - t0) / 1000;
    const jams = buildAnnotation(description, info, { wallTimeSec });
    progress('done', 1);
    return { info, description, jams, stemsWritten, wallTimeSec };
  } catch (err) {
    crew?.release();
    throw err;
  } finally {
    tonalThread.release();
  }
}

/** Audio that arrives in pieces: planar float32 channels in order. */
export interface MixPieces {
  sampleRate: number;
  channelCount: number;
  /** Frames expected (sizes the analysis signal once; 0 if unknown). */
  frames: number;
  pieces: AsyncIterable<Float32Array[]>;
}

/**
 * The MIR of audio that arrives in pieces (a file being decoded, a working PCM read in ranges):
 * each piece feeds the analysis signal and the loudness meter, then {@link describeAnalysisSignal}
 * runs on the signal. `onPiece` sees every piece too (before the next is read). The description
 * equals {@link analyzeMix} of the whole audio.
 */
export async function analyzePieces(
  mix: MixPieces,
  options: { onPiece?: (channels: Float32Array[]) => Promise<void>; onProgress?: ProgressFn; tonalThread?: TonalThread } = {},
): Promise<{ description: MusicDescription & { timings: StepTimes }; frames: number }> {
  const progress = options.onProgress ?? (() => {});
  const { sampleRate, channelCount } = mix;
  const mono = new AnalysisMonoStream(sampleRate, channelCount, ANALYSIS_SAMPLE_RATE, mix.frames);
  const loudness = new LoudnessMeter(sampleRate, channelCount);
  let frames = 0;
  let resampleMs = 0;
  for await (const channels of mix.pieces) {
    const t0 = performance.now();
    mono.push(channels);
    loudness.push(channels);
    resampleMs += performance.now() - t0;
    await options.onPiece?.(channels);
    frames += channels[0]?.length ?? 0;
    if (mix.frames > 0) progress('decode', 0.2 * Math.min(1, frames / mix.frames));
  }
  const t1 = performance.now();
  const signal = mono.finish();
  // Resampling and loudness metering as the pieces came (decoding not included).
  const timings: StepTimes = { resample: (resampleMs + performance.now() - t1) / 1000 };
  const description = await describeAnalysisSignal(signal, sampleRate > 0 ? frames / sampleRate : 0, loudness.result(), { tonalThread: options.tonalThread, onProgress: (stage, f) => progress(stage, 0.2 + 0.8 * f) }, timings);
  return { description, frames };
}

/** The separation of the spilled mix into one WAV file per stem. */
async function separateToFiles(
  io: LongAnalysisIO,
  mix: { sampleRate: number; channelCount: number; frames: number },
  bitDepth: WavBitDepth,
  windowSec: number | undefined,
  crew: ReturnType<typeof startSeparationCrew> | undefined,
  onProgress: (fraction: number) => void,
): Promise<DspStem[]> {
  const writers: Partial<Record<DspStem, StemWriter>> = {};
  try {
    const header = wavHeader(mix.sampleRate, mix.channelCount, mix.frames, { bitDepth });
    for (const stem of DSP_STEMS) {
      writers[stem] = await io.openStem(stem);
      await writers[stem].write(header);
    }
    await separateWindowsToWav({ ...mix, read: (start, end) => io.spill.read(start, end) }, bitDepth, (stem, bytes) => writers[stem]!.write(bytes), {
      crew,
      windowSec,
      run: { onProgress },
    });
    const dataBytes = mix.frames * mix.channelCount * (bitDepth / 8);
    if (dataBytes & 1) for (const stem of DSP_STEMS) await writers[stem]!.write(new Uint8Array(1)); // RIFF pad byte
  } finally {
    await Promise.all(Object.values(writers).map((w) => w.close()));
  }
  return [...DSP_STEMS];
}
