/**
 * MusicGen text prompts and output length. MusicGen (Copet et al., "Simple and Controllable Music
 * Generation", NeurIPS 2023) is conditioned on a free-text description through a T5 encoder; it
 * was trained on descriptions such as "80s pop track with bassy drums and synth", with genre,
 * mood, instruments, key and tempo words. This module turns a stemflow request (style, mood, key,
 * BPM, chords, free text) into such a description. Pure.
 *
 * Output length: the EnCodec decoder makes {@link MUSICGEN_TOKENS_PER_SECOND} = 50 token frames
 * per second of 32 kHz audio (frame rate = 32000 / 640 hop), so N seconds need round(N × 50) new
 * tokens. musicgen-small was trained on 30 s excerpts: longer requests are refused.
 */
import { InvalidRequestError } from '../../errors.js';
import { splitProgression, toHarte } from '../../music/harte.js';
import { formatKey, parseKey } from '../../music/key.js';

/** EnCodec token frames per second of audio (the model config's audio_encoder frame rate). */
export const MUSICGEN_TOKENS_PER_SECOND = 50;
/** Sample rate of the waveform MusicGen's EnCodec decoder returns, Hz. */
export const MUSICGEN_SAMPLE_RATE = 32000;
/** Longest request, seconds (the length musicgen-small was trained on). */
export const MUSICGEN_MAX_DURATION_SEC = 30;

/**
 * New tokens to generate for `durationSec` seconds of audio: round(durationSec × 50).
 * Throws InvalidRequestError (naming the value) unless 0 < durationSec ≤ 30.
 */
export function musicGenTokenCount(durationSec: number): number {
  if (!(durationSec > 0) || durationSec > MUSICGEN_MAX_DURATION_SEC) {
    throw new InvalidRequestError(`durationSec must be in (0, ${MUSICGEN_MAX_DURATION_SEC}] for MusicGen (got ${durationSec})`);
  }
  return Math.round(durationSec * MUSICGEN_TOKENS_PER_SECOND);
}

export interface MusicGenPromptParams {
  /** Genre, e.g. 'funk', 'hip-hop' (any text). */
  style?: string;
  /** Mood, e.g. one of the generator's MOODS ('happy', 'sad', 'calm', 'energetic', 'dark', 'neutral') or any word. */
  mood?: string;
  /** Key such as "A:minor", "C major", "F#m". */
  key?: string;
  /** Tempo, BPM (20–300). */
  bpm?: number;
  /** Chords, Harte ("A:min F:maj") or plain names ("Am F C G"), bar lines allowed. */
  chordProgression?: string;
  /** Free text appended as is (instruments, era, production…). */
  prompt?: string;
}

const MOOD_WORDS: Record<string, string> = {
  neutral: '',
  happy: 'upbeat happy',
  sad: 'melancholic sad',
  calm: 'calm relaxed',
  energetic: 'energetic driving',
  dark: 'dark moody',
};

const QUALITY_SUFFIX: Record<string, string> = {
  maj: '',
  min: 'm',
  '7': '7',
  maj7: 'maj7',
  min7: 'm7',
  dim: 'dim',
  dim7: 'dim7',
  aug: 'aug',
  sus2: 'sus2',
  sus4: 'sus4',
  hdim7: 'm7b5',
  maj6: '6',
  min6: 'm6',
  '9': '9',
  maj9: 'maj9',
  min9: 'm9',
};

/** "A:min" → "Am", "Am" → "Am" (plain names kept as written), "N" → null; other Harte labels kept. */
function plainChordName(token: string): string | null {
  let harte: string;
  try {
    harte = toHarte(token);
  } catch (err) {
    throw new InvalidRequestError(`chordProgression: ${(err as Error).message}`);
  }
  if (harte === 'N' || harte === 'X') return null;
  if (!token.includes(':')) return token;
  const m = /^([A-G][#b]?):([^/(]+)$/.exec(harte);
  const suffix = m ? QUALITY_SUFFIX[m[2]] : undefined;
  return m && suffix !== undefined ? `${m[1]}${suffix}` : harte;
}

/**
 * Build a MusicGen text prompt, e.g.
 * `{ style: 'funk', mood: 'happy', key: 'A:minor', bpm: 104, chordProgression: 'Am7 D7' }` →
 * "upbeat happy funk track in A minor at 104 bpm, chord progression Am7 - D7".
 * Missing fields are left out; nothing at all gives "instrumental music track".
 * Throws InvalidRequestError for a bad key, BPM or chord (message names the value).
 */
export function buildMusicGenPrompt(params: MusicGenPromptParams): string {
  const parts: string[] = [];
  const style = params.style?.trim().replace(/\s+/g, ' ');
  const moodKey = params.mood?.trim().toLowerCase();
  const mood = moodKey === undefined ? '' : MOOD_WORDS[moodKey] ?? moodKey;
  let head = [mood, style ? `${style} track` : 'instrumental music track'].filter((s) => s.length > 0).join(' ');
  if (params.key !== undefined && params.key.trim() !== '') {
    let label: string;
    try {
      label = formatKey(parseKey(params.key));
    } catch {
      throw new InvalidRequestError(`key: not a key: "${params.key}" (expected e.g. "A:minor", "C major", "F#m")`);
    }
    head += ` in ${label.replace(':', ' ')}`;
  }
  if (params.bpm !== undefined) {
    if (!(params.bpm >= 20 && params.bpm <= 300)) throw new InvalidRequestError(`bpm must be in [20, 300] (got ${params.bpm})`);
    head += ` at ${Math.round(params.bpm)} bpm`;
  }
  parts.push(head);
  if (params.chordProgression !== undefined && params.chordProgression.trim() !== '') {
    const names = splitProgression(params.chordProgression)
      .map(plainChordName)
      .filter((c): c is string => c !== null);
    if (names.length > 0) parts.push(`chord progression ${names.slice(0, 16).join(' - ')}`);
  }
  const free = params.prompt?.trim().replace(/\s+/g, ' ');
  if (free) parts.push(free);
  return parts.join(', ');
}
