/**
 * The official JAMS namespace schemas (ISC license, copied verbatim from the JAMS project into
 * ./schema/namespaces), loaded as JSON modules so the app never reads a folder at run time.
 * Each file maps one namespace name to {value, confidence?, dense, description}.
 */
import ns0 from './schema/namespaces/beat/beat.json' with { type: 'json' };
import ns1 from './schema/namespaces/beat/position.json' with { type: 'json' };
import ns2 from './schema/namespaces/chord/chord.json' with { type: 'json' };
import ns3 from './schema/namespaces/chord/harte.json' with { type: 'json' };
import ns4 from './schema/namespaces/chord/roman.json' with { type: 'json' };
import ns5 from './schema/namespaces/key/key_mode.json' with { type: 'json' };
import ns6 from './schema/namespaces/lyrics/bow.json' with { type: 'json' };
import ns7 from './schema/namespaces/lyrics/lyrics.json' with { type: 'json' };
import ns8 from './schema/namespaces/misc/blob.json' with { type: 'json' };
import ns9 from './schema/namespaces/misc/scaper.json' with { type: 'json' };
import ns10 from './schema/namespaces/misc/vector.json' with { type: 'json' };
import ns11 from './schema/namespaces/mood/thayer.json' with { type: 'json' };
import ns12 from './schema/namespaces/onset/onset.json' with { type: 'json' };
import ns13 from './schema/namespaces/pattern/jku.json' with { type: 'json' };
import ns14 from './schema/namespaces/pitch/class.json' with { type: 'json' };
import ns15 from './schema/namespaces/pitch/contour_hz.json' with { type: 'json' };
import ns16 from './schema/namespaces/pitch/hz.json' with { type: 'json' };
import ns17 from './schema/namespaces/pitch/midi.json' with { type: 'json' };
import ns18 from './schema/namespaces/pitch/note_hz.json' with { type: 'json' };
import ns19 from './schema/namespaces/pitch/note_midi.json' with { type: 'json' };
import ns20 from './schema/namespaces/segment/multi.json' with { type: 'json' };
import ns21 from './schema/namespaces/segment/open.json' with { type: 'json' };
import ns22 from './schema/namespaces/segment/salami_function.json' with { type: 'json' };
import ns23 from './schema/namespaces/segment/salami_lower.json' with { type: 'json' };
import ns24 from './schema/namespaces/segment/salami_upper.json' with { type: 'json' };
import ns25 from './schema/namespaces/segment/tut.json' with { type: 'json' };
import ns26 from './schema/namespaces/tag/cal10k.json' with { type: 'json' };
import ns27 from './schema/namespaces/tag/cal500.json' with { type: 'json' };
import ns28 from './schema/namespaces/tag/gtzan.json' with { type: 'json' };
import ns29 from './schema/namespaces/tag/medleydb_instruments.json' with { type: 'json' };
import ns30 from './schema/namespaces/tag/msd_tagtraum_cd1.json' with { type: 'json' };
import ns31 from './schema/namespaces/tag/msd_tagtraum_cd2.json' with { type: 'json' };
import ns32 from './schema/namespaces/tag/open.json' with { type: 'json' };
import ns33 from './schema/namespaces/tag/tag_audioset.json' with { type: 'json' };
import ns34 from './schema/namespaces/tag/tag_audioset_genre.json' with { type: 'json' };
import ns35 from './schema/namespaces/tag/tag_audioset_instruments.json' with { type: 'json' };
import ns36 from './schema/namespaces/tag/tag_fma_genre.json' with { type: 'json' };
import ns37 from './schema/namespaces/tag/tag_fma_subgenre.json' with { type: 'json' };
import ns38 from './schema/namespaces/tag/tag_urbansound.json' with { type: 'json' };
import ns39 from './schema/namespaces/tempo/tempo.json' with { type: 'json' };

/** The schema entry of one namespace, as written in the JAMS namespace files. */
export interface NamespaceSchema {
  /** JSON schema (draft-04) of each observation's value. */
  value?: Record<string, unknown>;
  /** JSON schema (draft-04) of each observation's confidence; absent means anything. */
  confidence?: Record<string, unknown>;
  /** True when observations are stored column-wise (DenseObservation). */
  dense?: boolean;
  description?: string;
}

const FILES: ReadonlyArray<Record<string, unknown>> = [
  ns0,
  ns1,
  ns2,
  ns3,
  ns4,
  ns5,
  ns6,
  ns7,
  ns8,
  ns9,
  ns10,
  ns11,
  ns12,
  ns13,
  ns14,
  ns15,
  ns16,
  ns17,
  ns18,
  ns19,
  ns20,
  ns21,
  ns22,
  ns23,
  ns24,
  ns25,
  ns26,
  ns27,
  ns28,
  ns29,
  ns30,
  ns31,
  ns32,
  ns33,
  ns34,
  ns35,
  ns36,
  ns37,
  ns38,
  ns39,
];

/** Every namespace the official schema defines, by name (e.g. 'chord', 'segment_open'). */
export const JAMS_NAMESPACES: ReadonlyMap<string, NamespaceSchema> = new Map(
  FILES.flatMap((file) => Object.entries(file).map(([name, spec]) => [name, spec as NamespaceSchema] as const)),
);
