/** Pure helpers that turn Functions host binding data into handler inputs. */
import type { BlobTriggerInput } from './types.js';

/** Blob trigger metadata → BlobTriggerInput (the content itself is ignored; activities read by path). */
export function blobInput(context: { triggerMetadata?: Record<string, unknown> }, container: string): BlobTriggerInput {
  const md = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  const props = (md.properties ?? {}) as Record<string, unknown>;
  const path = String(md.blobTrigger ?? '');
  const name = typeof md.name === 'string' ? md.name : path.slice(path.indexOf('/') + 1);
  const etag = props.eTag ?? props.ETag ?? props.etag;
  return { name, container: path.includes('/') ? path.slice(0, path.indexOf('/')) : container, etag: typeof etag === 'string' ? etag : undefined };
}

