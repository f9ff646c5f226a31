/**
 * A tiny Piper-shaped voice model, generated (no download): an ONNX graph with Piper's inputs
 * (`input` int64 [1,N], `input_lengths` int64 [1], `scales` float32 [3], optionally `sid` int64 [1]) and output
 * (`output` float32 [1,1,T]). The graph looks each phoneme id up in a table of short tones
 * (Gather), lays them end to end (Reshape), repeats the result ceil(length_scale) times (Tile) and scales it by
 * (1 + noise_scale) · (sid + 1), so duration follows the text and the length scale like a real voice's does.
 *
 * The ONNX protobuf is written by hand with a minimal encoder (varints, length-delimited fields).
 */

// ---- protobuf wire format ----
type Field = Uint8Array;

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const concat = (parts: Field[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const int = (field: number, value: number | bigint): Field => Uint8Array.from([...key(field, 0), ...varint(value)]);
const bytes = (field: number, value: Uint8Array): Field => concat([Uint8Array.from([...key(field, 2), ...varint(value.length)]), value]);
const str = (field: number, value: string): Field => bytes(field, new TextEncoder().encode(value));
const msg = (field: number, parts: Field[]): Field => bytes(field, concat(parts));
const float32 = (field: number, value: number): Field => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concat([Uint8Array.from(key(field, 5)), b]);
};

// ---- ONNX messages (onnx.proto field numbers) ----
const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: Dim[]): Field[] {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  // ValueInfoProto{name=1, type=2{TypeProto.tensor_type=1{elem_type=1, shape=2{dim=1}}}}
  return [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])];
}

function tensor(name: string, dataType: number, dims: number[], raw: Uint8Array): Field[] {
  // TensorProto{dims=1, data_type=2, name=8, raw_data=9}
  return [...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)];
}

type Attr = { name: string; int?: number; float?: number };

function node(op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): Field[] {
  // NodeProto{input=1, output=2, name=3, op_type=4, attribute=5}; AttributeProto{name=1, f=2, i=3, type=20}
  const attributes = attrs.map((a) =>
    msg(5, a.float !== undefined ? [str(1, a.name), float32(2, a.float), int(20, ATTR_FLOAT)] : [str(1, a.name), int(3, a.int ?? 0), int(20, ATTR_INT)]),
  );
  return [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attributes];
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const i64 = (values: number[]) => new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);

export interface FixtureModelOptions {
  /** Rows of the tone table (ids must stay below this). */
  numSymbols?: number;
  /** Samples each id becomes. */
  hop?: number;
  sampleRate?: number;
  /** Adds the `sid` input (multi-speaker voice). */
  withSpeakerId?: boolean;
}

/** The ONNX model bytes. */
export function buildPiperLikeOnnx(opts: FixtureModelOptions = {}): Uint8Array {
  const symbols = opts.numSymbols ?? 256;
  const hop = opts.hop ?? 256;
  const rate = opts.sampleRate ?? 16000;
  const table: number[] = [];
  for (let s = 0; s < symbols; s++) {
    // id 0 (PAD) is a short rest; other ids are tones between ~110 and ~1000 Hz
    const freq = s === 0 ? 0 : 110 + ((s * 37) % 900);
    for (let t = 0; t < hop; t++) table.push(s === 0 ? 0 : 0.5 * Math.sin((2 * Math.PI * freq * t) / rate));
  }
  const nodes: Field[][] = [
    node('Gather', ['table', 'input'], ['emb'], [{ name: 'axis', int: 0 }]),
    node('Reshape', ['emb', 'wave_shape'], ['wave']),
    node('Gather', ['scales', 'idx_length'], ['length_scale'], [{ name: 'axis', int: 0 }]),
    node('Ceil', ['length_scale'], ['length_ceil']),
    node('Cast', ['length_ceil'], ['repeat'], [{ name: 'to', int: INT64 }]),
    node('Concat', ['ones2', 'repeat'], ['repeats'], [{ name: 'axis', int: 0 }]),
    node('Tile', ['wave', 'repeats'], ['tiled']),
    node('Gather', ['scales', 'idx_noise'], ['noise_scale'], [{ name: 'axis', int: 0 }]),
    node('Add', ['noise_scale', 'one'], ['gain']),
    node('Cast', ['input_lengths'], ['len_f'], [{ name: 'to', int: FLOAT }]),
    node('Div', ['len_f', 'len_f'], ['len_one']),
    node('Mul', ['gain', 'len_one'], ['gain2']),
  ];
  if (opts.withSpeakerId) {
    nodes.push(node('Cast', ['sid'], ['sid_f'], [{ name: 'to', int: FLOAT }]));
    nodes.push(node('Add', ['sid_f', 'one'], ['sid_gain']));
    nodes.push(node('Mul', ['gain2', 'sid_gain'], ['gain3']));
    nodes.push(node('Mul', ['tiled', 'gain3'], ['output']));
  } else {
    nodes.push(node('Mul', ['tiled', 'gain2'], ['output']));
  }
  const initializers = [
    tensor('table', FLOAT, [symbols, hop], f32(table)),
    tensor('wave_shape', INT64, [3], i64([1, 1, -1])),
    tensor('idx_length', INT64, [1], i64([1])),
    tensor('idx_noise', INT64, [1], i64([0])),
    tensor('ones2', INT64, [2], i64([1, 1])),
    tensor('one', FLOAT, [1], f32([1])),
  ];
  const inputs = [
    valueInfo('input', INT64, [1, 'phonemes']),
    valueInfo('input_lengths', INT64, [1]),
    valueInfo('scales', FLOAT, [3]),
    ...(opts.withSpeakerId ? [valueInfo('sid', INT64, [1])] : []),
  ];
  // GraphProto{node=1, name=2, initializer=5, input=11, output=12}
  const graph = [
    ...nodes.map((n) => msg(1, n)),
    str(2, 'piper_like_fixture'),
    ...initializers.map((t) => msg(5, t)),
    ...inputs.map((i) => msg(11, i)),
    msg(12, valueInfo('output', FLOAT, [1, 1, 'samples'])),
  ];
  // ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8{domain=1, version=2}}
  return concat([int(1, 8), str(2, 'sokhan-test'), msg(7, graph), msg(8, [str(1, ''), int(2, 13)])]);
}
