/**
 * MIREX weighted key score, as mir_eval.key.weighted_score:
 * same tonic and mode 1.0; same mode with the estimate a perfect fifth ABOVE the reference 0.5
 * (mir_eval's default; `allowDescendingFifths` also accepts a fifth below, as mir_eval ≥ 0.8
 * optionally does); estimate is the relative minor of a major reference, or the relative major of
 * a minor reference, 0.3; parallel (same tonic, other mode) 0.2; otherwise 0.
 * A null key stands for mir_eval's 'X' (unknown): null vs null scores 1, null vs a key 0.
 */
import type { Key } from '../../shared/music/key.js';

export interface KeyScoreOptions {
  /** Also give 0.5 when the estimate is a fifth below the reference. Default false (mir_eval). */
  allowDescendingFifths?: boolean;
}

export function keyWeightedScore(reference: Key | null, estimated: Key | null, options: KeyScoreOptions = {}): number {
  if (reference === null || estimated === null) return reference === estimated ? 1 : 0;
  const diff = (((estimated.tonic - reference.tonic) % 12) + 12) % 12;
  const sameMode = estimated.mode === reference.mode;
  if (diff === 0 && sameMode) return 1;
  if (sameMode && (diff === 7 || (options.allowDescendingFifths === true && diff === 5))) return 0.5;
  if (!sameMode && reference.mode === 'major' && diff === 9) return 0.3;
  if (!sameMode && reference.mode === 'minor' && diff === 3) return 0.3;
  if (!sameMode && diff === 0) return 0.2;
  return 0;
}
