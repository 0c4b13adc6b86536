/**
 * Small helpers on planar audio: peak level, channel layout to stereo, sums and gains.
 * All return new buffers (inputs are never modified) unless stated; empty input gives empty output.
 */
import type { AudioBuffer } from './types.js';
import { frameCount } from './types.js';
import { InvalidAudioParametersError } from '../errors.js';

/** Largest |sample| over all channels (linear, 0 for silence or no channels). */
export function peakAbs(audio: AudioBuffer): number {
  let peak = 0;
  for (const ch of audio.channels) {
    for (let i = 0; i < ch.length; i++) {
      const v = ch[i] < 0 ? -ch[i] : ch[i];
      if (v > peak) peak = v;
    }
  }
  return peak;
}

/** Peak level in dBFS (−Infinity for silence). */
export function peakDbfs(audio: AudioBuffer): number {
  return 20 * Math.log10(peakAbs(audio));
}

/**
 * Two channels: mono is duplicated (same array twice, no copy), stereo is returned as is, and
 * more channels are folded with a plain average of the even-indexed channels into left and the
 * odd-indexed into right (no surround weighting).
 */
export function toStereo(audio: AudioBuffer): AudioBuffer {
  const c = audio.channels.length;
  if (c === 2) return audio;
  if (c === 0) throw new InvalidAudioParametersError('cannot make stereo from 0 channels');
  if (c === 1) return { sampleRate: audio.sampleRate, channels: [audio.channels[0], audio.channels[0]] };
  const n = frameCount(audio);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let nl = 0;
  let nr = 0;
  audio.channels.forEach((ch, k) => {
    const dst = k % 2 === 0 ? left : right;
    if (k % 2 === 0) nl++;
    else nr++;
    for (let i = 0; i < n; i++) dst[i] += ch[i];
  });
  for (let i = 0; i < n; i++) {
    left[i] /= nl;
    right[i] /= nr;
  }
  return { sampleRate: audio.sampleRate, channels: [left, right] };
}

/**
 * Sample-wise sum of buffers with the same rate and channel count; shorter buffers count as
 * silence after their end. Empty list → InvalidAudioParametersError (no rate to report).
 */
export function sumBuffers(buffers: AudioBuffer[]): AudioBuffer {
  if (buffers.length === 0) throw new InvalidAudioParametersError('sumBuffers needs at least one buffer');
  const { sampleRate } = buffers[0];
  const c = buffers[0].channels.length;
  let n = 0;
  for (const b of buffers) {
    if (b.sampleRate !== sampleRate) throw new InvalidAudioParametersError(`cannot sum ${b.sampleRate} Hz with ${sampleRate} Hz audio`);
    if (b.channels.length !== c) throw new InvalidAudioParametersError(`cannot sum ${b.channels.length}-channel with ${c}-channel audio`);
    n = Math.max(n, frameCount(b));
  }
  const channels = Array.from({ length: c }, () => new Float32Array(n));
  for (const b of buffers) {
    for (let k = 0; k < c; k++) {
      const src = b.channels[k];
      const dst = channels[k];
      for (let i = 0; i < src.length; i++) dst[i] += src[i];
    }
  }
  return { sampleRate, channels };
}

/** Multiply every sample by a linear gain. */
export function applyGain(audio: AudioBuffer, gain: number): AudioBuffer {
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((ch) => {
      const out = new Float32Array(ch.length);
      for (let i = 0; i < ch.length; i++) out[i] = ch[i] * gain;
      return out;
    }),
  };
}
