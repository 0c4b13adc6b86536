/**
 * TypeScript shape of a JAMS document (JSON Annotated Music Specification, Humphrey et al.,
 * ISMIR 2014) as stemflow writes it. The authoritative definition is the official JSON schema in
 * ./schema (draft-04); {@link validateJams} checks documents against it.
 */

/** One sparse observation: an event or interval with a value and a confidence. Times in seconds. */
export interface JamsObservation {
  time: number;
  duration: number;
  value: unknown;
  confidence: unknown;
}

export interface JamsCurator {
  name: string;
  email: string;
}

export interface JamsAnnotationMetadata {
  corpus?: string;
  version?: string | number;
  curator?: JamsCurator;
  annotator?: Record<string, unknown>;
  annotation_tools?: string;
  annotation_rules?: string;
  validation?: string;
  data_source?: string;
}

export interface JamsAnnotation {
  namespace: string;
  annotation_metadata: JamsAnnotationMetadata;
  data: JamsObservation[];
  sandbox?: Record<string, unknown>;
  /** Start of the annotated span, s (null = whole file). */
  time?: number | null;
  /** Length of the annotated span, s (null = whole file). */
  duration?: number | null;
}

export interface JamsFileMetadata {
  title?: string;
  artist?: string;
  release?: string;
  /** Seconds. */
  duration?: number;
  jams_version?: string;
  identifiers?: Record<string, unknown>;
}

export interface JamsDocument {
  file_metadata: JamsFileMetadata;
  annotations: JamsAnnotation[];
  sandbox: Record<string, unknown>;
}

/** The JAMS format version the writer declares (the official schema's own version). */
export const JAMS_VERSION = '0.3.4';
