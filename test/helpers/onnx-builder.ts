/**
 * Tiny ONNX models built by the tests, hand-encoded as protobuf (no onnx/protobufjs dependency).
 *
 * Field numbers follow onnx.proto (ONNX IR version 8, default-domain opset 17):
 *   ModelProto      ir_version=1 producer_name=2 graph=7 opset_import=8
 *   OperatorSetId   domain=1 version=2
 *   GraphProto      node=1 name=2 initializer=5 input=11 output=12
 *   NodeProto       input=1 output=2 name=3 op_type=4
 *   TensorProto     dims=1 data_type=2 name=8 raw_data=9   (FLOAT=1, INT64=7)
 *   ValueInfoProto  name=1 type=2;  TypeProto tensor_type=1;  TypeProto.Tensor elem_type=1 shape=2
 *   TensorShapeProto dim=1;  Dimension dim_value=1
 *
 * Every model stands for a real export: same input and output names, shapes and layouts
 * (see models/README.md), but its "network" is a per-stem gain, so each stem s is g_s × its
 * input and the separation code around it can be checked exactly.
 */

// ───────────────────────────── protobuf writer ─────────────────────────────

class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// ───────────────────────────── graph description ─────────────────────────────

const FLOAT = 1;
const INT64 = 7;

export interface TensorInit {
  name: string;
  dims: number[];
  /** float32 values, or int64 values when `int64` is set. */
  values: number[];
  int64?: boolean;
}

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface ValueSpec {
  name: string;
  dims: number[];
}

export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers: TensorInit[];
}

function encodeValueInfo(v: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function encodeTensor(t: TensorInit): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.int64 ? INT64 : FLOAT);
  w.string(8, t.name);
  let raw: Uint8Array;
  if (t.int64) {
    const a = new BigInt64Array(t.values.map((x) => BigInt(x)));
    raw = new Uint8Array(a.buffer);
  } else {
    raw = new Uint8Array(new Float32Array(t.values).buffer);
  }
  w.bytes(9, raw);
  return w;
}

/** Encode a graph as a complete ModelProto (IR 8, opset 17). */
export function encodeModel(graph: GraphSpec): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const x of n.inputs) node.string(1, x);
    for (const y of n.outputs) node.string(2, y);
    node.string(3, `${n.opType.toLowerCase()}_${i}`);
    node.string(4, n.opType);
    g.message(1, node);
  });
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, encodeTensor(t));
  for (const v of graph.inputs) g.message(11, encodeValueInfo(v));
  for (const v of graph.outputs) g.message(12, encodeValueInfo(v));
  const model = new ProtoWriter();
  model.int(1, 8);
  model.string(2, 'stemflow-test-onnx-builder');
  model.message(7, g);
  model.message(8, new ProtoWriter().string(1, '').int(2, 17));
  return model.finish();
}

// ───────────────────────────── known-gain models ─────────────────────────────

/** Segment length of the htdemucs exports: 7.8 s at 44.1 kHz. */
export const HTDEMUCS_SEGMENT = 343980;

/**
 * Waveform contract (htdemucs with the STFT inside the graph, StemSplit / mixxx exports):
 * input `input` [1,2,T] → output `output` [1,S,2,T], stem s = gains[s] × input.
 * Graph: Unsqueeze(input, axis 1) → Mul by a [1,S,1,1] gain constant (broadcast).
 */
export function buildWaveformGainModel(gains: number[], segment = HTDEMUCS_SEGMENT, names = { input: 'input', output: 'output' }): Uint8Array {
  const S = gains.length;
  return encodeModel({
    name: 'waveform_gain',
    inputs: [{ name: names.input, dims: [1, 2, segment] }],
    outputs: [{ name: names.output, dims: [1, S, 2, segment] }],
    initializers: [
      { name: 'axis1', dims: [1], values: [1], int64: true },
      { name: 'gains', dims: [1, S, 1, 1], values: gains },
    ],
    nodes: [
      { opType: 'Unsqueeze', inputs: [names.input, 'axis1'], outputs: ['unsq'] },
      { opType: 'Mul', inputs: ['unsq', 'gains'], outputs: [names.output] },
    ],
  });
}

/**
 * demucs.onnx contract (htdemucs with the STFT outside the graph, sevagh/demucs.onnx layout):
 * inputs `input` (time branch, waveform [1,2,T]) and `x` (complex-as-channels spectrogram
 * [1,4,2048,336]); outputs `output` (frequency branch [1,S,4,2048,336]) and `add_67` (time branch
 * [1,S,2,T]). Frequency output = freqGains[s] × x, time output = timeGains[s] × input, so after the
 * ISTFT and the branch sum, stem s = (freqGains[s] + timeGains[s]) × mix.
 */
export function buildDemucsExtStftGainModel(
  freqGains: number[],
  timeGains: number[],
  opts: {
    segment?: number;
    bins?: number;
    frames?: number;
    /** Tensor names; default the demucs.onnx ones: input, x → output, add_67. */
    names?: { wave: string; spec: string; freq: string; time: string };
    /** Declare the spectrogram input and the time output first (other exports' order). */
    reversed?: boolean;
  } = {},
): Uint8Array {
  const S = freqGains.length;
  const T = opts.segment ?? HTDEMUCS_SEGMENT;
  const F = opts.bins ?? 2048;
  const N = opts.frames ?? 336;
  const n = opts.names ?? { wave: 'input', spec: 'x', freq: 'output', time: 'add_67' };
  const inputs = [
    { name: n.wave, dims: [1, 2, T] },
    { name: n.spec, dims: [1, 4, F, N] },
  ];
  const outputs = [
    { name: n.freq, dims: [1, S, 4, F, N] },
    { name: n.time, dims: [1, S, 2, T] },
  ];
  if (opts.reversed) {
    inputs.reverse();
    outputs.reverse();
  }
  return encodeModel({
    name: 'demucs_ext_stft_gain',
    inputs,
    outputs,
    initializers: [
      { name: 'axis1', dims: [1], values: [1], int64: true },
      { name: 'freq_gains', dims: [1, S, 1, 1, 1], values: freqGains },
      { name: 'time_gains', dims: [1, S, 1, 1], values: timeGains },
    ],
    nodes: [
      { opType: 'Unsqueeze', inputs: [n.spec, 'axis1'], outputs: ['spec_unsq'] },
      { opType: 'Mul', inputs: ['spec_unsq', 'freq_gains'], outputs: [n.freq] },
      { opType: 'Unsqueeze', inputs: [n.wave, 'axis1'], outputs: ['wave_unsq'] },
      { opType: 'Mul', inputs: ['wave_unsq', 'time_gains'], outputs: [n.time] },
    ],
  });
}

/**
 * MDX-Net (UVR) contract: input `input` [1,4,dimF,dimT] (L.re, L.im, R.re, R.im) → output
 * `output` of the same shape; here output = gain × input.
 */
export function buildMdxGainModel(gain: number, dimF: number, dimT: number): Uint8Array {
  return encodeModel({
    name: 'mdx_gain',
    inputs: [{ name: 'input', dims: [1, 4, dimF, dimT] }],
    outputs: [{ name: 'output', dims: [1, 4, dimF, dimT] }],
    initializers: [{ name: 'gain', dims: [1], values: [gain] }],
    nodes: [{ opType: 'Mul', inputs: ['input', 'gain'], outputs: ['output'] }],
  });
}
