/**
 * ONNX Runtime sessions: one per (model file, execution provider) per process or worker, created
 * lazily on first use and reused by every separation after it.
 *
 * Execution providers: 'cpu' always works. 'cuda' is tried when asked; if the CUDA provider
 * cannot be loaded (no GPU, no CUDA libraries, or the CPU-only onnxruntime-node build that
 * `.npmrc` installs), the session is created on the CPU instead and ONE log line says so (once per
 * process). Which provider is actually in use is reported by {@link onnxRuntimeStatus}
 * (for /api/health and the CLI).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface OnnxSessionHandle {
  session: ort.InferenceSession;
  path: string;
  requestedProvider: ExecutionProvider;
  activeProvider: ExecutionProvider;
  /** Why the requested provider was not used (null when it was). */
  fallbackReason: string | null;
}

export interface SessionStatus {
  path: string;
  requestedProvider: ExecutionProvider;
  activeProvider: ExecutionProvider;
  fallbackReason: string | null;
}

const sessions = new Map<string, Promise<OnnxSessionHandle>>();
const settled = new Map<string, SessionStatus>();
let fallbackLogged = false;

function providerOptions(p: ExecutionProvider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [p],
    graphOptimizationLevel: 'all',
    // Quiet the native logger: a failed CUDA load is reported by our one fallback line instead.
    logSeverityLevel: p === 'cuda' ? 4 : 3,
  };
}

/**
 * Why CUDA certainly cannot load, or null when it may: onnxruntime-node needs
 * libonnxruntime_providers_cuda.so next to its binding, which the CPU-only install
 * (`onnxruntime-node-install=skip`) does not ship. Checking first avoids the native error spew.
 */
function cudaUnavailableReason(): string | null {
  if (process.platform !== 'linux' && process.platform !== 'win32') return `no CUDA build of onnxruntime-node for ${process.platform}`;
  try {
    const root = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin');
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    for (const napi of readdirSync(root)) {
      if (existsSync(join(root, napi, process.platform, process.arch, lib))) return null;
    }
    return `${lib} not found under ${root} (onnxruntime-node installed without CUDA binaries; install with onnxruntime-node-install=cuda12 on a GPU image)`;
  } catch {
    return null; // layout unknown: just try
  }
}

async function createSession(path: string, requested: ExecutionProvider, log: (line: string) => void): Promise<OnnxSessionHandle> {
  if (requested === 'cuda') {
    try {
      const missing = cudaUnavailableReason();
      if (missing) throw new Error(missing);
      const session = await ort.InferenceSession.create(path, providerOptions('cuda'));
      return { session, path, requestedProvider: 'cuda', activeProvider: 'cuda', fallbackReason: null };
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0];
      const session = await ort.InferenceSession.create(path, providerOptions('cpu'));
      if (!fallbackLogged) {
        fallbackLogged = true;
        log(`[onnx] CUDA execution provider unavailable (${reason}); falling back to CPU for ${path}`);
      }
      return { session, path, requestedProvider: 'cuda', activeProvider: 'cpu', fallbackReason: reason };
    }
  }
  const session = await ort.InferenceSession.create(path, providerOptions('cpu'));
  return { session, path, requestedProvider: 'cpu', activeProvider: 'cpu', fallbackReason: null };
}

/**
 * The cached session for `modelPath` on `provider`, created on first call. A failed creation is
 * not cached (the next call tries again).
 */
export function getOnnxSession(modelPath: string, provider: ExecutionProvider = 'cpu', log: (line: string) => void = (l) => console.warn(l)): Promise<OnnxSessionHandle> {
  const path = resolve(modelPath);
  const key = `${path}|${provider}`;
  let p = sessions.get(key);
  if (!p) {
    p = createSession(path, provider, log).then(
      (h) => {
        settled.set(key, { path: h.path, requestedProvider: h.requestedProvider, activeProvider: h.activeProvider, fallbackReason: h.fallbackReason });
        return h;
      },
      (err) => {
        sessions.delete(key);
        throw err;
      },
    );
    sessions.set(key, p);
  }
  return p;
}

/** Every session created in this process, with the provider it runs on. */
export function onnxRuntimeStatus(): SessionStatus[] {
  return [...settled.values()];
}

/** The provider in use by the most recently created session, or null when none exists yet. */
export function activeExecutionProvider(): ExecutionProvider | null {
  const all = [...settled.values()];
  return all.length ? all[all.length - 1].activeProvider : null;
}

/** Release every cached session (tests, shutdown). */
export async function releaseOnnxSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  settled.clear();
  fallbackLogged = false;
  for (const p of all) {
    try {
      await (await p).session.release();
    } catch {
      // a session that failed to load has nothing to release
    }
  }
}
