/**
 * `npm run models:fetch <id> [more ids] [-- --trust-on-first-use] [--dir <path>] [--force]`
 * `npm run models:fetch -- --list`
 *
 * Downloads model weights listed in models/manifest.json into STEMFLOW_MODEL_DIR (default
 * ./models/weights), verifying size and sha256. Exit code 0 on success, 1 on any failure,
 * 2 on bad usage.
 */
import { pathToFileURL } from 'node:url';
import { describeError } from '../shared/errors.js';
import { fetchModel } from '../shared/models/fetch.js';
import { defaultManifestPath, findModel, loadModelManifest, resolveModelDir } from '../shared/models/manifest.js';

export interface ModelsFetchIo {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  fetchImpl?: typeof fetch;
}

const USAGE = 'usage: npm run models:fetch <id> [<id>…] [-- --trust-on-first-use] [--dir <path>] [--manifest <path>] [--force] [--list]';

/** Run the command with `argv` (arguments after the script name). Returns the exit code. */
export async function runModelsFetch(argv: string[], io: ModelsFetchIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  const ids: string[] = [];
  let trustOnFirstUse = false;
  let force = false;
  let list = false;
  let dir: string | undefined;
  let manifestPath = defaultManifestPath();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--trust-on-first-use') trustOnFirstUse = true;
    else if (a === '--force') force = true;
    else if (a === '--list') list = true;
    else if (a === '--dir' || a === '--manifest') {
      const v = argv[++i];
      if (!v) {
        err(`${a} needs a value\n${USAGE}`);
        return 2;
      }
      if (a === '--dir') dir = v;
      else manifestPath = v;
    } else if (a === '--help' || a === '-h') {
      out(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      err(`unknown option ${a}\n${USAGE}`);
      return 2;
    } else ids.push(a);
  }

  let manifest;
  try {
    manifest = await loadModelManifest(manifestPath);
  } catch (e) {
    err(describeError(e));
    return 1;
  }
  if (list || ids.length === 0) {
    for (const m of manifest.models) {
      const pinned = m.files.every((f) => f.sha256 !== null);
      out(`${m.id}\t${m.task}\t${m.contract.type}\t${m.files.map((f) => f.name).join(',')}\t${pinned ? 'sha256 pinned' : 'sha256 not pinned'}\t${m.license}`);
    }
    if (ids.length === 0 && !list) {
      err(`no model id given\n${USAGE}`);
      return 2;
    }
    return 0;
  }

  const modelDir = dir ?? resolveModelDir(io.env ?? process.env);
  for (const id of ids) {
    try {
      findModel(manifest, id);
      await fetchModel({ manifest, id, modelDir, trustOnFirstUse, force, fetchImpl: io.fetchImpl, log: out });
    } catch (e) {
      err(`models:fetch ${id}: ${describeError(e)}`);
      return 1;
    }
  }
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runModelsFetch(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
