/**
 * The port between the Functions app and the core library. Activities call the core only through
 * this interface, so tests can inject a fast fake and the starters never load DSP modules.
 * {@link loadCore} binds it to the real modules with lazy imports.
 */
import type { AudioBuffer, AudioInfo } from '../shared/audio/types.js';
import type { MusicDescription } from '../shared/contracts/music.js';

/** Generation parameters as the core takes them (camelCase, units in the names). */
export interface CoreGenerationParams {
  bpm?: number;
  durationSec: number;
  key?: string;
  /** Chords as the generator reads them: Harte or plain names, space separated, optional "|…|" bars. */
  chordProgression?: string;
  style?: string;
  prompt?: string;
  temperature?: number;
  seed?: number;
  sampleRate?: number;
  fit?: MusicDescription;
}

export interface CorePort {
  decodeAudio(bytes: Uint8Array, options: { maxDurationSec: number }): Promise<{ audio: AudioBuffer; info: AudioInfo }>;
  encodeWav(audio: AudioBuffer, options: { bitDepth: 16 | 24 | 32 }): Uint8Array;
  separateMix(mix: AudioBuffer): Promise<Record<string, AudioBuffer>>;
  analyzeMix(mix: AudioBuffer): Promise<MusicDescription>;
  buildAnnotation(desc: MusicDescription, info: AudioInfo, extras: { wallTimeSec: number }): Promise<object>;
  renderGeneratedStem(params: CoreGenerationParams, stem: string): Promise<AudioBuffer>;
  /** Throws (BadInputError naming the value) when the generator would reject these parameters. */
  checkGenerationParams(params: CoreGenerationParams): Promise<void>;
  readJamsDescription(doc: unknown): MusicDescription;
}

let loaded: Promise<CorePort> | undefined;

/** The real core, imported on first use. */
export function loadCore(): Promise<CorePort> {
  loaded ??= (async (): Promise<CorePort> => {
    const [decode, wav, pipeline, generation, jamsRead] = await Promise.all([
      import('../shared/audio/decode.js'),
      import('../shared/audio/wav.js'),
      import('../shared/pipeline/analyze.js'),
      import('../shared/generation/index.js'),
      import('../shared/jams/read.js'),
    ]);
    return {
      decodeAudio: (bytes, options) => Promise.resolve(decode.decodeAudio(bytes, options)),
      encodeWav: (audio, options) => wav.encodeWav(audio, options),
      separateMix: (mix) => Promise.resolve(pipeline.separateMix(mix)),
      analyzeMix: async (mix) => {
        const desc = (await pipeline.analyzeMix(mix)) as MusicDescription & { timings?: unknown };
        const { timings: _timings, ...rest } = desc;
        return rest as MusicDescription;
      },
      buildAnnotation: async (desc, info, extras) => (await pipeline.buildAnnotation(desc, info, extras)) as object,
      renderGeneratedStem: async (params, stem) => {
        const plan = generation.planGeneration(params as Parameters<typeof generation.planGeneration>[0]);
        return await generation.renderStem(plan, stem as Parameters<typeof generation.renderStem>[1]);
      },
      checkGenerationParams: async (params) => {
        generation.planGeneration(params as Parameters<typeof generation.planGeneration>[0]);
      },
      readJamsDescription: (doc) => jamsRead.readJamsDescription(doc as Parameters<typeof jamsRead.readJamsDescription>[0]),
    };
  })();
  return loaded;
}
