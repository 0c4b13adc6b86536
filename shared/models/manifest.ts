/**
 * The model manifest (models/manifest.json): which weights exist, where they come from, how to
 * verify them, and the tensor contract the runtime uses to run them. Parsed with zod at the edge;
 * everything downstream works with the typed, frozen result.
 *
 * Checksums are never invented: a file whose `sha256` (or `bytes`) is not known is `null`, and
 * the fetch step refuses to trust such a download unless told to (`--trust-on-first-use`), in
 * which case it prints the digest so it can be pinned.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InvalidRequestError, StemflowError } from '../errors.js';
import { STEM_NAMES } from '../separation/types.js';

const stemName = z.enum(STEM_NAMES);
const positiveInt = z.number().int().positive();

/** Explicit input/output tensor names; null → bind by position (first input, first output…). */
const ioNames = z
  .object({
    inputs: z.array(z.string().min(1)).min(1),
    outputs: z.array(z.string().min(1)).min(1),
  })
  .nullable()
  .default(null);

export const modelFileSchema = z.object({
  /** File name inside the model's folder (`<modelDir>/<id>/<name>`); no path separators. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'file name must be a plain name without slashes'),
  /** Public download URL, or null when the file must be exported/obtained by hand. */
  url: z.url().nullable(),
  /** Lower-case hex SHA-256 of the file, or null when not known (fetch then refuses unless trusting on first use). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits')
    .nullable(),
  /** Exact size in bytes, or null when not known. */
  bytes: z.number().int().positive().nullable(),
  /** Informational size for the README and logs. */
  approxMegabytes: z.number().positive().optional(),
});

/** Waveform in [1,2,T] → stems [1,S,2,T]; the STFT lives inside the graph (htdemucs exports). */
export const waveformContractSchema = z.object({
  type: z.literal('waveform'),
  segmentSamples: positiveInt,
  io: ioNames,
});

/**
 * Demucs with the STFT outside the graph (sevagh/demucs.onnx): inputs (waveform [1,2,T],
 * spectrogram [1,4,nFft/2,frames]); outputs (frequency branch [1,S,4,nFft/2,frames],
 * time branch [1,S,2,T]).
 */
export const demucsExtStftContractSchema = z.object({
  type: z.literal('demucs-ext-stft'),
  segmentSamples: positiveInt,
  nFft: positiveInt,
  hopLength: positiveInt,
  io: ioNames,
});

/** MDX-Net (UVR): spectrogram [1,4,dimF,dimT] in and out, for one (primary) stem. */
export const mdxContractSchema = z.object({
  type: z.literal('mdx'),
  nFft: positiveInt,
  hopLength: positiveInt,
  dimF: positiveInt,
  dimT: positiveInt,
  /** Gain applied to the primary stem's waveform (UVR's per-model "compensate"). */
  compensation: z.number().positive(),
  /** The stem the network outputs. */
  primaryStem: stemName,
  /** The stem formed as mix − primary (null: none). */
  residualStem: stemName.nullable(),
  io: ioNames,
});

export const separationContractSchema = z.discriminatedUnion('type', [
  waveformContractSchema,
  demucsExtStftContractSchema,
  mdxContractSchema,
]);

export const modelEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'model id must be lower-case [a-z0-9._-]'),
    task: z.enum(['separation', 'generation', 'transcription']),
    description: z.string().optional(),
    license: z.string().min(1),
    source: z.object({ page: z.url(), howTo: z.string().optional() }),
    files: z.array(modelFileSchema).min(1),
    sampleRate: positiveInt,
    stems: z.array(stemName).min(1),
    contract: separationContractSchema,
  })
  .superRefine((m, ctx) => {
    if (m.contract.type === 'mdx') {
      const c = m.contract;
      if (c.dimF > (c.nFft >> 1) + 1) ctx.addIssue({ code: 'custom', message: `dimF ${c.dimF} exceeds nFft/2+1 = ${(c.nFft >> 1) + 1}` });
      if (!m.stems.includes(c.primaryStem)) ctx.addIssue({ code: 'custom', message: `primaryStem '${c.primaryStem}' is not in stems` });
      if (c.residualStem && !m.stems.includes(c.residualStem)) ctx.addIssue({ code: 'custom', message: `residualStem '${c.residualStem}' is not in stems` });
    }
    if (new Set(m.stems).size !== m.stems.length) ctx.addIssue({ code: 'custom', message: `duplicate stem names in ${m.stems.join(',')}` });
  });

export const modelManifestSchema = z
  .object({
    version: z.literal(1),
    models: z.array(modelEntrySchema),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    for (const e of m.models) {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', message: `duplicate model id '${e.id}'` });
      seen.add(e.id);
    }
  });

export type ModelFile = z.infer<typeof modelFileSchema>;
export type WaveformContract = z.infer<typeof waveformContractSchema>;
export type DemucsExtStftContract = z.infer<typeof demucsExtStftContractSchema>;
export type MdxContract = z.infer<typeof mdxContractSchema>;
export type SeparationContract = z.infer<typeof separationContractSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** A model's weights are not where the runtime looked. Not retryable: fetch or copy them first. */
export class ModelMissingError extends StemflowError {
  readonly modelId: string;
  readonly missingPath: string;
  constructor(modelId: string, missingPath: string, message: string) {
    super('model_missing', message, false);
    this.modelId = modelId;
    this.missingPath = missingPath;
  }
}

/** Validate parsed JSON as a manifest. Throws InvalidRequestError listing every problem. */
export function parseModelManifest(json: unknown): ModelManifest {
  const r = modelManifestSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidRequestError(`invalid model manifest: ${issues.join('; ')}`, issues);
  }
  return deepFreeze(r.data);
}

/**
 * Path of the app's models/manifest.json: beside the sources (shared/models → ../../models), or
 * from the compiled output (dist/shared/models → ../../../models) as deployed by `func start` and
 * the Flex package.
 */
export function defaultManifestPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', '..', 'models', 'manifest.json'), resolve(here, '..', '..', '..', 'models', 'manifest.json')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** Read and validate a manifest file (default: models/manifest.json). */
export async function loadModelManifest(path = defaultManifestPath()): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidRequestError(`cannot read model manifest ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestError(`model manifest ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseModelManifest(json);
}

/** The entry with `id`; an unknown id throws, listing the known ids. */
export function findModel(manifest: ModelManifest, id: string): ModelEntry {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) {
    throw new InvalidRequestError(`unknown model id '${id}'; known ids: ${manifest.models.map((m) => m.id).join(', ')}`);
  }
  return entry;
}

/**
 * The weights directory: `STEMFLOW_MODEL_DIR` if set, else `./models/weights` (git-ignored),
 * resolved against `cwd`.
 */
export function resolveModelDir(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  const dir = env.STEMFLOW_MODEL_DIR?.trim();
  return resolve(cwd, dir ? dir : join('models', 'weights'));
}

/** Where a model file lives: `<modelDir>/<id>/<file>`. */
export function modelFilePath(modelDir: string, entry: ModelEntry, fileName: string): string {
  return join(modelDir, entry.id, fileName);
}

/** The command that fetches a model, for error messages. */
export function fetchCommand(id: string): string {
  return `npm run models:fetch ${id}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
