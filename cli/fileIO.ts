/**
 * Local files for the long-file analysis (shared/pipeline/analyzeLong.ts): the input read in
 * ranges, the decoded mix spilled to a temporary file, and stem files written as they come.
 */
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSource } from '../shared/audio/stream.js';
import type { LongAnalysisIO, MixSpill, StemWriter } from '../shared/pipeline/analyzeLong.js';

/** A file read in ranges. Close it when done. */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const size = (await stat(path)).size;
  const handle = await open(path, 'r');
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = new Uint8Array(n);
      for (let got = 0; got < n; ) {
        const { bytesRead } = await handle.read(out, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

/** Write all of `bytes` at the file's current end. */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * The decoded mix in a temporary file, interleaved float32 (exactly the decoder's samples), for
 * `channelCount` channels. `dispose()` deletes it.
 */
async function tempSpill(channelCount: number): Promise<MixSpill & { dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'stemflow-mix-'));
  const handle = await open(join(dir, 'mix.f32'), 'w+');
  const frameBytes = 4 * channelCount;
  let frames = 0;
  return {
    async append(channels) {
      const n = channels[0]?.length ?? 0;
      const inter = new Float32Array(n * channelCount);
      for (let c = 0; c < channelCount; c++) {
        const ch = channels[c];
        for (let i = 0, j = c; i < n; i++, j += channelCount) inter[j] = ch[i];
      }
      await writeAll(handle, new Uint8Array(inter.buffer), frames * frameBytes);
      frames += n;
    },
    async read(start, end) {
      const n = Math.max(0, Math.min(end, frames) - start);
      const bytes = new Uint8Array(n * frameBytes);
      for (let got = 0; got < bytes.length; ) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, start * frameBytes + got);
        if (bytesRead === 0) throw new Error(`mix spill ends at byte ${start * frameBytes + got}, expected ${(start + n) * frameBytes}`);
        got += bytesRead;
      }
      const inter = new Float32Array(bytes.buffer);
      return Array.from({ length: channelCount }, (_, c) => {
        const ch = new Float32Array(n);
        for (let i = 0, j = c; i < n; i++, j += channelCount) ch[i] = inter[j];
        return ch;
      });
    },
    async dispose() {
      await handle.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A stem file written in order. */
async function fileStemWriter(path: string): Promise<StemWriter> {
  const handle = await open(path, 'w');
  let position = 0;
  return {
    async write(bytes) {
      await writeAll(handle, bytes, position);
      position += bytes.length;
    },
    close: () => handle.close(),
  };
}

/**
 * I/O for a long analysis writing `stemPath(stem)`, with the mix spilled to a temporary file
 * that `dispose()` deletes (call it whatever happens).
 */
export async function localLongAnalysisIO(channelCount: number, stemPath: (stem: string) => string): Promise<LongAnalysisIO & { dispose(): Promise<void> }> {
  const spill = await tempSpill(channelCount);
  return { spill, openStem: (stem) => fileStemWriter(stemPath(stem)), dispose: () => spill.dispose() };
}
