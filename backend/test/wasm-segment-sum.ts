import * as tf from '@tensorflow/tfjs';

/** What the wasm backend offers a kernel written in JavaScript (its tensors live in the wasm heap). */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * UnsortedSegmentSum for the wasm backend, which ships none. It is the gradient of a gather: tests need it to
 * train the sparse network with TensorFlow.js's own fit as the reference for SparseFitter, which computes that
 * gradient itself (so the product never asks the backend for it).
 */
function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const wasm = backend as WasmHeap;
  const x = inputs.x!;
  const ids = inputs.segmentIds!;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const idRank = ids.shape.length;
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const out = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
  const dst = wasm.typedArrayFromHeap(out);
  dst.fill(0);
  const src = wasm.typedArrayFromHeap(x);
  const seg = wasm.typedArrayFromHeap(ids);
  for (let i = 0; i < seg.length; i++) {
    const s = seg[i]!;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) dst[o + j]! += src[from + j]!;
  }
  return out;
}

/** Registers the kernel when the active backend lacks it (call after the backend is set). */
export function registerSegmentSum(backendName: string): void {
  if (backendName !== 'wasm' || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
}
