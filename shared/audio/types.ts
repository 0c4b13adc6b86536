/**
 * Planar PCM audio: one Float32Array per channel, all the same length, nominal range [-1, 1].
 * This is the only in-memory audio representation the core passes around.
 */
export interface AudioBuffer {
  /** Samples per second per channel, in Hz. */
  sampleRate: number;
  /** One array per channel (index 0 = left for stereo). */
  channels: Float32Array[];
}

export type ContainerFormat = 'wav' | 'mp3' | 'flac' | 'ogg';

/** Tags read from the file (ID3, Vorbis comments, RIFF INFO), when present. */
export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
}

/** What a probe of the encoded file tells, before or while decoding. */
export interface AudioInfo {
  format: ContainerFormat;
  /** e.g. 'pcm_s16', 'pcm_f32', 'mp3', 'flac', 'vorbis'. */
  codec: string;
  sampleRate: number;
  channelCount: number;
  /** Bits per sample for PCM and FLAC; undefined for lossy codecs. */
  bitDepth?: number;
  durationSec: number;
  tags: AudioTags;
}

export interface DecodedAudio {
  audio: AudioBuffer;
  info: AudioInfo;
}

/** Number of sample frames (samples per channel). */
export function frameCount(audio: AudioBuffer): number {
  return audio.channels.length === 0 ? 0 : audio.channels[0].length;
}

/** Duration in seconds. */
export function durationOf(audio: AudioBuffer): number {
  return audio.sampleRate > 0 ? frameCount(audio) / audio.sampleRate : 0;
}

/** Average of all channels into a new mono Float32Array. */
export function toMono(audio: AudioBuffer): Float32Array {
  const n = frameCount(audio);
  const count = audio.channels.length;
  if (count === 1) return audio.channels[0].slice();
  const out = new Float32Array(n);
  for (const ch of audio.channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  const g = count > 0 ? 1 / count : 0;
  for (let i = 0; i < n; i++) out[i] *= g;
  return out;
}
