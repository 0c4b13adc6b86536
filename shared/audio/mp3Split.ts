/**
 * MP3 decoded on two threads, sample for sample the same as one decoder from the start.
 *
 * Layer III frames are nearly independent: a frame's decode depends on the previous frames only
 * through the bit reservoir (its main data may begin up to 511 bytes before its header), the
 * IMDCT overlap (the previous granule) and the polyphase synthesis buffer (the last 16 subband
 * slots, under one granule). A decoder started a few frames before a join frame therefore holds,
 * at the join, the state a decoder from the start holds, with one more condition for bit-exact
 * floats: mpg123 keeps its synthesis window in a 16-slot ring whose position advances by one slot
 * per 32 output samples, and the order of its sums follows that position. So the helper starts
 * on a frame whose index (from the first audio frame) is a multiple of 8: 8 frames are 288 slots
 * (MPEG-1, 36 per frame) or 144 (MPEG-2/2.5, 18 per frame), both multiples of 16.
 *
 * The join is checked, not assumed: this thread decodes the join frame too, and the helper's
 * copy of it must equal this thread's bit for bit; otherwise (or if the helper fails) this thread
 * decodes the rest itself. The split is decided when the helper is ready, at half of what is
 * left, so a helper that starts late still takes its share.
 *
 * Only plain streams split: Layer III, frames back to back to the end of the file (or to an
 * ID3v1 tag), the Xing/Info frame count (if any) equal to the frames found, and no observer.
 */
import { asciiAt, parseMpegFrameHeader } from './detect.js';
import { PlanarAccumulator, type DecodeLimits } from './codec-common.js';
import { MP3_DECODER_DELAY, Mp3Feeder, checkMp3Limit, noFrameError, parseMp3Header, type Mp3Header } from './mp3.js';
import type { DecodedAudio } from './types.js';

/** Shortest stream worth a second thread (s): below it the hand-over costs more than it saves. */
export const MIN_SPLIT_SEC = 20;
/** Bytes this thread decodes between looks at whether the helper is ready. */
const STEP_BYTES = 1 << 16;
/** Bytes of stream the helper decodes before the join frame's predecessor (≥ the 511-byte reservoir). */
const PRIME_BYTES = 1024;

/** The back part of a stream, as a helper thread decodes it. */
export interface Mp3TailJob {
  /** The stream's bytes from the helper's first frame to the end. */
  bytes: Uint8Array;
  channelCount: number;
  /** Decoded samples per channel to drop before the join (the priming frames). */
  skip: number;
  /** Samples per channel to keep from the join on. */
  keep: number;
  /** Samples per channel the whole tail decodes to (a check on the frame walk). */
  expect: number;
}

/** A second thread that decodes the back part of an MP3 ({@link decodeMp3Tail} there). */
export interface Mp3TailDecoder {
  /** Whether it can start at once (its decoder is loaded). */
  ready(): boolean;
  /** The kept samples, one array per channel, or null if it could not decode them. */
  decodeTail(job: Mp3TailJob): Promise<Float32Array[] | null>;
}

/** Where a stream's frames start, and how its output lines up with them. */
export interface Mp3FrameMap {
  header: Mp3Header;
  /** Byte offset of the stream's first frame (the Info frame, if any). */
  offset: number;
  /** Byte offset of each audio frame (after the Info frame), plus the end of the last one. */
  starts: Int32Array;
  /** Decoded samples per channel before output sample 0 (the trimmed delays). */
  lead: number;
  /** Output samples per channel of the whole stream. */
  total: number;
}

/** Walk the frames of a stream that can be split, or null if it cannot (see the module comment). */
export function mapMp3Frames(bytes: Uint8Array, offset: number): Mp3FrameMap | null {
  const header = parseMp3Header(bytes, offset);
  const { first } = header;
  if (first.layer !== 3) return null;
  const list: number[] = [];
  let p = header.audioOffset;
  for (;;) {
    const f = parseMpegFrameHeader(bytes, p);
    if (!f || p + f.frameBytes > bytes.length) break;
    if (f.sampleRate !== first.sampleRate || f.samplesPerFrame !== first.samplesPerFrame || f.layer !== 3) return null;
    list.push(p);
    p += f.frameBytes;
  }
  const tagged = bytes.length - p === 128 && asciiAt(bytes, p, 3) === 'TAG';
  if ((p !== bytes.length && !tagged) || list.length === 0) return null;
  if (header.xingFrames !== null && header.xingFrames !== list.length) return null;
  list.push(p);
  const spf = first.samplesPerFrame;
  const lead = header.gaplessInfo ? header.encoderDelay + MP3_DECODER_DELAY : MP3_DECODER_DELAY;
  const frames = list.length - 1;
  const total = header.gaplessInfo ? header.frameCount : frames * spf - MP3_DECODER_DELAY;
  if (total <= 0) return null;
  return { header, offset, starts: Int32Array.from(list), lead, total };
}

/** The helper's first frame for a join at frame `join`: primed by ≥ 2 frames and PRIME_BYTES, on the synthesis ring's phase (a multiple of 8). */
export function tailStartFrame(map: Mp3FrameMap, join: number): number {
  let s = join - 2;
  while (s > 0 && map.starts[join - 1] - map.starts[s] < PRIME_BYTES) s--;
  return Math.max(0, s - (s % 8));
}

/**
 * Decode the back part of a stream (on the helper thread): a fresh decoder without gapless
 * trimming from the job's first frame, the priming samples dropped. Null if the stream decodes
 * to another length than the frame walk said (then the caller decodes it itself).
 */
export async function decodeMp3Tail(job: Mp3TailJob): Promise<Float32Array[] | null> {
  const feeder = await Mp3Feeder.open(job.channelCount, 0, job.skip, false);
  const out = Array.from({ length: job.channelCount }, () => new Float32Array(job.keep));
  let at = 0;
  try {
    for (let p = 0; p < job.bytes.length; p += 1 << 20) {
      const piece = feeder.feed(job.bytes.subarray(p, Math.min(job.bytes.length, p + (1 << 20))));
      const n = Math.min(piece?.channels[0].length ?? 0, job.keep - at);
      if (n > 0) piece!.channels.forEach((ch, c) => out[c].set(ch.subarray(0, n), at));
      at += Math.max(0, n);
    }
  } finally {
    feeder.free();
  }
  return feeder.decoded === job.expect ? out : null;
}

function sameSamples(a: Float32Array[], aAt: number, b: Float32Array[], count: number): boolean {
  for (let c = 0; c < a.length; c++) {
    const x = a[c];
    const y = b[c];
    for (let i = 0; i < count; i++) if (x[aAt + i] !== y[i]) return false;
  }
  return true;
}

/** Index of the first frame that starts at or after byte `pos` (the end if none). */
function upperFrame(starts: Int32Array, pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Let pending messages (the helper's "ready") arrive. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Decode a splittable stream ({@link mapMp3Frames}) with a helper thread taking the back part
 * once it is ready; the result equals {@link decodeMp3}'s sample for sample.
 */
export async function decodeMp3Split(bytes: Uint8Array, map: Mp3FrameMap, helper: Mp3TailDecoder, limits: DecodeLimits = {}): Promise<DecodedAudio & { helperFrames: number }> {
  const { header, starts, lead, total } = map;
  const { first } = header;
  const spf = first.samplesPerFrame;
  const channelCount = first.channelCount;
  const frames = starts.length - 1;
  checkMp3Limit(total, first.sampleRate, limits);
  const samples = new PlanarAccumulator(channelCount, total + spf);
  const feeder = await Mp3Feeder.forStream(header);
  let rate = first.sampleRate;
  let join = -1;
  let tail: Promise<Float32Array[] | null> | null = null;
  let helperFrames = 0;
  const end = starts[frames];
  try {
    // From the first frame, so the Info frame's gapless delay and padding reach mpg123.
    let p = map.offset;
    let stop = end;
    /** This thread's decoder takes the bytes [p, to). */
    const feedTo = (to: number): void => {
      const piece = feeder.feed(bytes.subarray(p, to));
      if (piece) {
        samples.append(piece.channels, piece.channels[0].length);
        rate = piece.sampleRate;
      }
      p = to;
    };
    while (p < stop) {
      if (!tail) {
        await turn();
        if (helper.ready()) {
          // Split what is left in half, at a frame this thread has not started.
          const at = upperFrame(starts, p) + 1;
          const candidate = at + ((frames - at) >> 1);
          if (frames - candidate >= 16 && candidate * spf >= lead) {
            join = candidate;
            const s = tailStartFrame(map, join);
            const joinOut = join * spf - lead;
            tail = helper
              .decodeTail({ bytes: bytes.subarray(starts[s], end), channelCount, skip: (join - s) * spf, keep: total - joinOut, expect: (frames - s) * spf })
              .catch(() => null);
            // Decode through the join frame (and the next header, so mpg123 has let it out).
            stop = starts[Math.min(frames, join + 2)];
          }
        }
      }
      feedTo(Math.min(stop, p + STEP_BYTES));
    }
    if (tail) {
      const joinOut = join * spf - lead;
      const back = await tail;
      if (back && samples.frames >= joinOut + spf && sameSamples(samples.peek(), joinOut, back, spf)) {
        samples.truncate(joinOut);
        samples.append(back, back[0].length);
        helperFrames = back[0].length;
      } else {
        while (p < end) feedTo(Math.min(end, p + STEP_BYTES));
      }
    }
    const last = feeder.finish();
    if (last) samples.append(last.channels, 1);
  } finally {
    feeder.free();
  }
  if (feeder.decoded === 0) throw noFrameError(bytes, header.audioOffset, feeder.errors);
  const channels = samples.finish();
  return {
    audio: { sampleRate: rate, channels },
    info: { format: 'mp3', codec: 'mp3', sampleRate: rate, channelCount, durationSec: samples.frames / rate, tags: {} },
    helperFrames,
  };
}
