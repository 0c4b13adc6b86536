/**
 * The blob layout (DESIGN §4, seed 000), relative to the container:
 *
 * ```
 * {audio_file_id}.{mp3|wav|flac|ogg}             the upload (never modified or deleted)
 * {audio_file_id}/stems/{vocals,drums,bass,other}.wav
 * {audio_file_id}/analysis/annotation.jams
 * {audio_file_id}/generated/{generation_request_id}/{stem}.wav
 * generated/{generation_request_id}/{stem}.wav   (generation without a song)
 * {audio_file_id}/work/mix.pcm, info.json, description.json   intermediates, removable
 * {audio_file_id}/work/stems/{stem}.{index}.pcm   a chunk of a stem (chunked separation), removable
 * ```
 * Every id is validated before it gets here; these builders re-check and throw on anything
 * that could escape its folder.
 */
import { InvalidRequestError } from '../errors.js';
import { GUID_PATTERN, SAFE_ID_PATTERN } from '../contracts/http.js';

export const AUDIO_EXTENSIONS = ['mp3', 'wav', 'flac', 'ogg'] as const;
export type AudioExtension = (typeof AUDIO_EXTENSIONS)[number];

export const CONTENT_TYPES = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  json: 'application/json',
  midi: 'audio/midi',
  pcm: 'application/octet-stream',
} as const;

/** True for a GUID or `[A-Za-z0-9_-]{1,128}`. */
export function isSafeId(id: string): boolean {
  return GUID_PATTERN.test(id) || SAFE_ID_PATTERN.test(id);
}

function assertId(id: string, what: string): string {
  if (!isSafeId(id)) throw new InvalidRequestError(`${what} "${id}" must be a GUID or 1-128 characters of [A-Za-z0-9_-]`);
  return id;
}

function assertStem(stem: string): string {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(stem)) throw new InvalidRequestError(`stem name "${stem}" must be lower-case letters/digits`);
  return stem;
}

export interface UploadName {
  audioFileId: string;
  extension: AudioExtension;
}

/**
 * Parse a top-level upload name `{audio_file_id}.{ext}`. Returns undefined (never throws) for
 * nested names (outputs, work files), non-audio extensions and ids that are not safe.
 */
export function parseUploadName(name: string): UploadName | undefined {
  if (name.includes('/') || name.includes('\\')) return undefined;
  const m = /^(.+)\.([A-Za-z0-9]+)$/.exec(name);
  if (!m) return undefined;
  const extension = m[2].toLowerCase();
  if (!(AUDIO_EXTENSIONS as readonly string[]).includes(extension)) return undefined;
  if (!isSafeId(m[1])) return undefined;
  return { audioFileId: m[1], extension: extension as AudioExtension };
}

export const layout = {
  stem: (audioFileId: string, stem: string) => `${assertId(audioFileId, 'audio_file_id')}/stems/${assertStem(stem)}.wav`,
  stemsPrefix: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/stems/`,
  annotation: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/analysis/annotation.jams`,
  generatedStem: (generationRequestId: string, stem: string, audioFileId?: string) =>
    audioFileId === undefined
      ? `generated/${assertId(generationRequestId, 'generation_request_id')}/${assertStem(stem)}.wav`
      : `${assertId(audioFileId, 'audio_file_id')}/generated/${assertId(generationRequestId, 'generation_request_id')}/${assertStem(stem)}.wav`,
  stemMidi: (audioFileId: string, stem: string) => `${assertId(audioFileId, 'audio_file_id')}/stems/${assertStem(stem)}.mid`,
  workNotes: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/work/notes.json`,
  workMix: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/work/mix.pcm`,
  workInfo: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/work/info.json`,
  workDescription: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/work/description.json`,
  workStemPart: (audioFileId: string, stem: string, index: number) => {
    if (!Number.isInteger(index) || index < 0 || index > 99999) throw new InvalidRequestError(`chunk index ${index} must be an integer in 0..99999`);
    return `${assertId(audioFileId, 'audio_file_id')}/work/stems/${assertStem(stem)}.${String(index).padStart(5, '0')}.pcm`;
  },
  workPrefix: (audioFileId: string) => `${assertId(audioFileId, 'audio_file_id')}/work/`,
} as const;
