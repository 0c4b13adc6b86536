/**
 * Test helpers for audio I/O: hand-built WAV files (any format tag, width, channel count,
 * extra chunks), Debian encoder runners, deterministic signals.
 */
import { seededRandom } from '../helpers/random.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { seededRandom };

export function sine(freqHz: number, sampleRate: number, frames: number, amplitude = 0.5, phase = 0): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate + phase);
  return x;
}

export interface WavSpec {
  formatTag?: number; // 1 PCM, 3 float, 0xfffe extensible, others for unsupported
  subFormat?: number; // for extensible
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  validBits?: number;
  /** Interleaved sample bytes. */
  data: Uint8Array;
  /** Override the declared data size (for truncation tests). */
  declaredDataBytes?: number;
  /** Chunks placed between fmt and data: [id, body]. */
  extraChunks?: Array<[string, Uint8Array]>;
  /** Chunks after data. */
  trailingChunks?: Array<[string, Uint8Array]>;
}

function chunk(id: string, body: Uint8Array, declared = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, declared, true);
  out.set(body, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Build a RIFF/WAVE file byte by byte. */
export function buildWav(spec: WavSpec): Uint8Array {
  const tag = spec.formatTag ?? 1;
  const blockAlign = spec.channels * Math.ceil(spec.bitsPerSample / 8);
  const ext = tag === 0xfffe;
  const fmt = new Uint8Array(ext ? 40 : 16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, spec.channels, true);
  v.setUint32(4, spec.sampleRate, true);
  v.setUint32(8, spec.sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, spec.bitsPerSample, true);
  if (ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, spec.validBits ?? spec.bitsPerSample, true);
    v.setUint32(20, 0, true);
    v.setUint16(24, spec.subFormat ?? 1, true);
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const parts = [chunk('fmt ', fmt)];
  for (const [id, body] of spec.extraChunks ?? []) parts.push(chunk(id, body));
  parts.push(chunk('data', spec.data, spec.declaredDataBytes ?? spec.data.length));
  for (const [id, body] of spec.trailingChunks ?? []) parts.push(chunk(id, body));
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(head.buffer).setUint32(4, body.length + 4, true);
  head.set([0x57, 0x41, 0x56, 0x45], 8);
  return concat([head, body]);
}

/** Interleave integer codes (one array per channel) into little-endian bytes of `bits` width. */
export function packInts(channels: Int32Array[], bits: number): Uint8Array {
  const c = channels.length;
  const n = channels[0].length;
  const w = bits / 8;
  const out = new Uint8Array(n * c * w);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = (i * c + ch) * w;
      const s = channels[ch][i];
      if (bits === 8) out[o] = s + 128;
      else if (bits === 16) view.setInt16(o, s, true);
      else if (bits === 24) {
        out[o] = s & 0xff;
        out[o + 1] = (s >> 8) & 0xff;
        out[o + 2] = (s >> 16) & 0xff;
      } else view.setInt32(o, s, true);
    }
  }
  return out;
}

export function packFloats(channels: Float64Array[] | Float32Array[], bits: 32 | 64): Uint8Array {
  const c = channels.length;
  const n = channels[0].length;
  const w = bits / 8;
  const out = new Uint8Array(n * c * w);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = (i * c + ch) * w;
      if (bits === 32) view.setFloat32(o, channels[ch][i], true);
      else view.setFloat64(o, channels[ch][i], true);
    }
  }
  return out;
}

/** Random integer codes covering the full range of `bits` (including both extremes). */
export function randomInts(rand: () => number, frames: number, bits: number): Int32Array {
  const lo = -(2 ** (bits - 1));
  const span = 2 ** bits;
  const x = new Int32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = lo + Math.floor(rand() * span);
  x[0] = lo;
  x[1] = 2 ** (bits - 1) - 1;
  x[2] = 0;
  return x;
}

/** Throws a clear error (failing the test, never skipping it) when a Debian tool is missing. */
export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
  } catch {
    throw new Error(`required tool '${tool}' is not installed: apt-get install ${debianPackage} (see .ci/run)`);
  }
}

export const TOOLS: Array<[string, string]> = [
  ['sox', 'sox'],
  ['lame', 'lame'],
  ['flac', 'flac'],
  ['oggenc', 'vorbis-tools'],
  ['opusenc', 'opus-tools'],
];

/** A temporary directory with helpers to run encoders in it. */
export class ToolDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'stemflow-audio-'));
  path(name: string): string {
    return join(this.dir, name);
  }
  write(name: string, bytes: Uint8Array): string {
    const p = this.path(name);
    writeFileSync(p, bytes);
    return p;
  }
  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }
  run(tool: string, args: string[]): void {
    execFileSync(tool, args, { cwd: this.dir, stdio: 'pipe' });
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Amplitude of a sinusoid of known frequency (least-squares fit of sin and cos), skipping `edge` samples at both ends. */
export function sineAmplitude(x: Float32Array, freqHz: number, sampleRate: number, edge = 0): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = edge; i < x.length - edge; i++) {
    const w = (2 * Math.PI * freqHz * i) / sampleRate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  return Math.hypot(a, b);
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}
