/**
 * Style profiles: the defaults and sounds that make rock, pop, funk, jazz, electronic, hip-hop,
 * ballad, reggae, latin and metal audibly different (groove, swing, sounds, voicings, harmony).
 */

export const STYLES = ['rock', 'pop', 'funk', 'jazz', 'electronic', 'hip-hop', 'ballad', 'reggae', 'latin', 'metal'] as const;
export type Style = (typeof STYLES)[number];

export const MOODS = ['neutral', 'happy', 'sad', 'calm', 'energetic', 'dark'] as const;
export type Mood = (typeof MOODS)[number];

export type BassProgram = 'picked' | 'finger' | 'upright' | 'slap' | 'synth' | 'sub808';
export type GuitarProgram = 'overdrive' | 'clean' | 'muted' | 'jazz' | 'nylon';
export type KeysProgram = 'piano' | 'epiano';
export type SynthProgram = 'pad' | 'arp' | 'lead';
export type OtherProgram = 'strings' | 'organ' | 'pad';
export type Vowel = 'aah' | 'ooh';

/** The sound chosen for each instrument. */
export interface InstrumentPrograms {
  bass: BassProgram;
  guitar: GuitarProgram;
  piano: KeysProgram;
  synth: SynthProgram;
  other: OtherProgram;
  vowel: Vowel;
  /** Vocal register: 'high' (about A3–E5) or 'low' (about C3–G4). */
  voice: 'high' | 'low';
}

export type ChordFlavor = 'triads' | 'mixed' | 'sevenths';

export interface StyleProfile {
  style: Style;
  defaultBpm: number;
  /** Tempo range used when a song or prompt picks a tempo. */
  bpmRange: readonly [number, number];
  /** Off-beat eighth position as a fraction of the beat (0.5 = straight, 0.667 = triplet swing). */
  swing8: number;
  /** Off-beat sixteenth position as a fraction of the eighth (0.5 = straight). */
  swing16: number;
  programs: InstrumentPrograms;
  chordFlavor: ChordFlavor;
  /** Probability of a minor key when none is given. */
  minorProbability: number;
  /** Reverb send (0..1). */
  room: number;
  /** The drum pattern family (drums.ts) this style plays. */
  groove: Style;
}

const P = (bass: BassProgram, guitar: GuitarProgram, piano: KeysProgram, synth: SynthProgram, other: OtherProgram, vowel: Vowel): InstrumentPrograms => ({
  bass, guitar, piano, synth, other, vowel, voice: 'high',
});

export const STYLE_PROFILES: Readonly<Record<Style, StyleProfile>> = {
  rock: { style: 'rock', defaultBpm: 120, bpmRange: [100, 150], swing8: 0.5, swing16: 0.5, programs: P('picked', 'overdrive', 'piano', 'pad', 'organ', 'aah'), chordFlavor: 'triads', minorProbability: 0.45, room: 0.12, groove: 'rock' },
  pop: { style: 'pop', defaultBpm: 110, bpmRange: [90, 128], swing8: 0.5, swing16: 0.5, programs: P('finger', 'clean', 'piano', 'pad', 'strings', 'ooh'), chordFlavor: 'mixed', minorProbability: 0.35, room: 0.15, groove: 'pop' },
  funk: { style: 'funk', defaultBpm: 104, bpmRange: [92, 116], swing8: 0.5, swing16: 0.54, programs: P('slap', 'muted', 'epiano', 'lead', 'organ', 'aah'), chordFlavor: 'sevenths', minorProbability: 0.5, room: 0.08, groove: 'funk' },
  jazz: { style: 'jazz', defaultBpm: 132, bpmRange: [96, 160], swing8: 0.64, swing16: 0.5, programs: P('upright', 'jazz', 'piano', 'pad', 'organ', 'ooh'), chordFlavor: 'sevenths', minorProbability: 0.35, room: 0.18, groove: 'jazz' },
  electronic: { style: 'electronic', defaultBpm: 124, bpmRange: [118, 132], swing8: 0.5, swing16: 0.5, programs: P('synth', 'clean', 'epiano', 'arp', 'pad', 'aah'), chordFlavor: 'triads', minorProbability: 0.6, room: 0.2, groove: 'electronic' },
  'hip-hop': { style: 'hip-hop', defaultBpm: 90, bpmRange: [80, 98], swing8: 0.5, swing16: 0.58, programs: P('sub808', 'clean', 'epiano', 'lead', 'strings', 'ooh'), chordFlavor: 'mixed', minorProbability: 0.65, room: 0.1, groove: 'hip-hop' },
  ballad: { style: 'ballad', defaultBpm: 72, bpmRange: [64, 84], swing8: 0.5, swing16: 0.5, programs: P('finger', 'nylon', 'piano', 'pad', 'strings', 'ooh'), chordFlavor: 'mixed', minorProbability: 0.4, room: 0.3, groove: 'ballad' },
  reggae: { style: 'reggae', defaultBpm: 80, bpmRange: [72, 92], swing8: 0.5, swing16: 0.54, programs: P('finger', 'muted', 'epiano', 'pad', 'organ', 'aah'), chordFlavor: 'triads', minorProbability: 0.4, room: 0.15, groove: 'reggae' },
  latin: { style: 'latin', defaultBpm: 112, bpmRange: [96, 126], swing8: 0.5, swing16: 0.5, programs: P('finger', 'nylon', 'piano', 'lead', 'strings', 'aah'), chordFlavor: 'mixed', minorProbability: 0.5, room: 0.15, groove: 'latin' },
  metal: { style: 'metal', defaultBpm: 140, bpmRange: [120, 170], swing8: 0.5, swing16: 0.5, programs: P('picked', 'overdrive', 'piano', 'pad', 'strings', 'aah'), chordFlavor: 'triads', minorProbability: 0.9, room: 0.1, groove: 'metal' },
};

/** Words in a prompt that select a style (checked in this order). */
export const STYLE_WORDS: ReadonlyArray<readonly [Style, readonly string[]]> = [
  ['hip-hop', ['hip-hop', 'hip hop', 'hiphop', 'rap', 'trap', 'boom bap', 'boom-bap', 'lofi', 'lo-fi']],
  ['electronic', ['electronic', 'edm', 'techno', 'house', 'trance', 'dance', 'synthwave', 'club', 'electro']],
  ['metal', ['metal', 'thrash', 'heavy']],
  ['jazz', ['jazz', 'swing', 'bebop', 'bossa']],
  ['funk', ['funk', 'funky', 'disco', 'groove', 'groovy']],
  ['reggae', ['reggae', 'ska', 'dub']],
  ['latin', ['latin', 'salsa', 'samba', 'cumbia']],
  ['ballad', ['ballad', 'love song', 'lullaby', 'slow piano']],
  ['rock', ['rock', 'punk', 'grunge', 'guitar']],
  ['pop', ['pop']],
];

/** Words in a prompt that select a mood. */
export const MOOD_WORDS: ReadonlyArray<readonly [Mood, readonly string[]]> = [
  ['sad', ['sad', 'melancholic', 'melancholy', 'sorrow', 'lonely', 'tearful', 'blue']],
  ['dark', ['dark', 'ominous', 'sinister', 'moody', 'gloomy']],
  ['happy', ['happy', 'bright', 'uplifting', 'joyful', 'cheerful', 'sunny', 'upbeat', 'fun']],
  ['calm', ['calm', 'chill', 'relaxed', 'relaxing', 'mellow', 'ambient', 'soft', 'peaceful', 'gentle', 'dreamy']],
  ['energetic', ['energetic', 'aggressive', 'intense', 'driving', 'powerful', 'fast', 'epic', 'hard']],
];
