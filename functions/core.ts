/**
 * The port between the Functions app and the core library. Activities call the core only through
 * this interface, so tests can inject a fast fake and the starters never load DSP modules.
 * {@link loadCore} binds it to the real modules with lazy imports.
 */
import type { AudioStream, ByteSource } from '../shared/audio/stream.js';
import type { AudioBuffer, AudioInfo } from '../shared/audio/types.js';
import type { MusicDescription } from '../shared/contracts/music.js';
import type { GenerationParams } from '../shared/generation/types.js';
import { type AppConfig, getConfig } from '../shared/config.js';
import type { MixPieces } from '../shared/pipeline/analyzeLong.js';
import type { RuntimeSettings } from '../shared/pipeline/runtime.js';
import type { SeparationRegion } from '../shared/separation/types.js';

/** Generation parameters as the core takes them (camelCase, units in the names). */
export type CoreGenerationParams = GenerationParams;

export interface CorePort {
  decodeAudio(bytes: Uint8Array, options: { maxDurationSec: number }): Promise<{ audio: AudioBuffer; info: AudioInfo }>;
  /** Decode piece by piece (a long upload read in ranges): see shared/audio/stream.ts. */
  openAudio(source: ByteSource, options: { maxDurationSec: number }): Promise<AudioStream>;
  encodeWav(audio: AudioBuffer, options: { bitDepth: 16 | 24 | 32 }): Uint8Array;
  separateMix(mix: AudioBuffer): Promise<Record<string, AudioBuffer>>;
  /**
   * Regions of about `regionSec` seconds whose separately separated cores join into exactly the
   * one-run stems of a mix of `frames` frames; null when the separator cannot be split.
   */
  planSeparation(frames: number, sampleRate: number, regionSec: number): Promise<SeparationRegion[] | null>;
  /** Stems of one region's core; `span` holds the mix frames [readStart, readEnd) of `totalFrames`. */
  separateRegion(span: AudioBuffer, region: SeparationRegion, totalFrames: number): Promise<Record<string, AudioBuffer>>;
  /** The description of a mix held whole, or arriving in pieces (a long working PCM read in ranges). */
  analyzeMix(mix: AudioBuffer | MixPieces): Promise<MusicDescription>;
  buildAnnotation(desc: MusicDescription, info: AudioInfo, extras: { wallTimeSec: number; extraAnnotations?: object[] }): Promise<object>;
  /** Notes of one stem (Basic Pitch): a JAMS note_midi annotation and a standard MIDI file. */
  transcribeStem(audio: AudioBuffer, stem: string): Promise<{ noteCount: number; annotation: object; midi: Uint8Array }>;
  renderGeneratedStem(params: CoreGenerationParams, stem: string): Promise<AudioBuffer>;
  /** Throws (BadInputError naming the value) when the generator would reject these parameters. */
  checkGenerationParams(params: CoreGenerationParams): Promise<void>;
  readJamsDescription(doc: unknown): MusicDescription;
}

let loaded: Promise<CorePort> | undefined;

/** The engine settings of an app configuration. */
export function runtimeSettings(config: Readonly<AppConfig>): RuntimeSettings {
  return {
    mode: config.mode,
    modelDir: config.models.dir,
    separationModel: config.models.separationModel,
    musicgenDir: config.models.musicgenDir,
    executionProvider: config.models.executionProvider,
  };
}

/**
 * The real core, imported on first use. Mock mode separates with DSP masks and renders stems
 * procedurally; model mode uses the ONNX separator and MusicGen (shared/pipeline/runtime.ts).
 */
export function loadCore(config: Readonly<AppConfig> = getConfig()): Promise<CorePort> {
  loaded ??= (async (): Promise<CorePort> => {
    const settings = runtimeSettings(config);
    const [decode, wav, pipeline, generation, jamsRead, runtime] = await Promise.all([
      import('../shared/audio/decode.js'),
      import('../shared/audio/wav.js'),
      import('../shared/pipeline/analyze.js'),
      import('../shared/generation/index.js'),
      import('../shared/jams/read.js'),
      import('../shared/pipeline/runtime.js'),
    ]);
    const renderStem = runtime.selectStemRenderer(settings);
    return {
      decodeAudio: (bytes, options) => Promise.resolve(decode.decodeAudio(bytes, options)),
      openAudio: async (source, options) => (await import('../shared/audio/stream.js')).openAudioStream(source, options),
      encodeWav: (audio, options) => wav.encodeWav(audio, options),
      separateMix: async (mix) => pipeline.separateMix(mix, { separator: await runtime.selectSeparator(settings) }),
      planSeparation: async (frames, sampleRate, regionSec) => (await runtime.selectSeparator(settings)).regions?.plan(frames, sampleRate, regionSec) ?? null,
      separateRegion: async (span, region, totalFrames) => {
        const regions = (await runtime.selectSeparator(settings)).regions;
        if (!regions) throw new Error(`the ${settings.mode} separator cannot separate a region on its own`);
        return regions.separate(span, region, totalFrames);
      },
      analyzeMix: async (mix) => {
        const desc = ('pieces' in mix ? (await (await import('../shared/pipeline/analyzeLong.js')).analyzePieces(mix)).description : await pipeline.analyzeMix(mix)) as MusicDescription & {
          timings?: unknown;
        };
        const { timings: _timings, ...rest } = desc;
        return rest as MusicDescription;
      },
      buildAnnotation: async (desc, info, extras) => (await pipeline.buildAnnotation(desc, info, extras)) as object,
      renderGeneratedStem: (params, stem) => renderStem(params, stem),
      transcribeStem: async (audio, stem) => {
        const t = await import('../shared/transcription/index.js');
        const raw = await t.transcribeNotes(audio);
        // Octave/twelfth ghosts are removed only on the monophonic lines (bass, vocals).
        const notes = stem === 'bass' || stem === 'vocals' ? t.suppressHarmonicNotes(raw) : raw;
        const durationSec = audio.sampleRate > 0 ? (audio.channels[0]?.length ?? 0) / audio.sampleRate : 0;
        return {
          noteCount: notes.length,
          annotation: t.notesToJamsAnnotation(notes, { durationSec, stem }),
          midi: t.notesToMidiFile(notes, { trackName: stem }),
        };
      },
      checkGenerationParams: async (params) => {
        generation.planGeneration(params);
      },
      readJamsDescription: (doc) => jamsRead.readJamsDescription(doc as Parameters<typeof jamsRead.readJamsDescription>[0]),
    };
  })();
  return loaded;
}
