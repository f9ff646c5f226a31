import type { OptimizerName } from '@sokhan/common';

/** TensorFlow.js's defaults (tf.train.adam / tf.train.rmsprop): the table trains as tf.train.* would train it. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const RMS_DECAY = 0.9;
const EPSILON = 1e-7;

/**
 * The optimizer of the sparse first layer's table, updating every weight at every step exactly as tf.train.adam,
 * rmsprop or sgd would with the L2 penalty in the loss — rows a batch did not touch still move (their momentum
 * and the penalty), and on SentiPers that is worth a point of accuracy over a lazy update. What it saves is the
 * way there: the batch's gradient arrives as its few rows (scattered here, not a dense tensor built by a
 * segment sum), and the update is one pass over plain arrays instead of a dozen tensor ops each allocating a
 * table-sized result.
 */
export class TableOptimizer {
  /** First and second moments (Adam), or the mean square (RMSProp); one value per table weight. */
  readonly m: Float32Array;
  readonly v: Float32Array;
  step = 0;
  /** The gradient of the current step; rows without data gradient stay 0 (zeroed again by the update). */
  private readonly grad: Float32Array;
  /** Σ w² over the table after the last step (the L2 term of the reported loss). */
  private squares = 0;

  constructor(
    readonly kind: OptimizerName,
    readonly learningRate: number,
    readonly l2: number,
    readonly table: Float32Array,
    readonly width: number,
  ) {
    this.m = new Float32Array(kind === 'sgd' ? 0 : table.length);
    this.v = new Float32Array(kind === 'adam' ? table.length : 0);
    this.grad = new Float32Array(table.length);
    for (let i = 0; i < table.length; i++) this.squares += table[i]! * table[i]!;
  }

  /** The L2 penalty of the whole table, as TensorFlow.js adds a regulariser to the training loss. */
  penalty(): number {
    return this.l2 * this.squares;
  }

  /** One step: `grads[k * width + j]` is the data gradient of table row rows[k] (distinct rows), unit j. */
  apply(rows: Int32Array, grads: Float32Array): void {
    const { table, width, grad, m, v, learningRate: lr } = this;
    for (let k = 0; k < rows.length; k++) grad.set(grads.subarray(k * width, (k + 1) * width), rows[k]! * width);
    this.step += 1;
    const decay = 2 * this.l2;
    let squares = 0;
    const n = table.length;
    if (this.kind === 'adam') {
      const c1 = 1 - BETA1 ** this.step;
      const c2 = 1 - BETA2 ** this.step;
      for (let i = 0; i < n; i++) {
        const w = table[i]!;
        const g = grad[i]! + decay * w;
        const mi = BETA1 * m[i]! + (1 - BETA1) * g;
        const vi = BETA2 * v[i]! + (1 - BETA2) * g * g;
        m[i] = mi;
        v[i] = vi;
        const next = w - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + EPSILON);
        table[i] = next;
        squares += next * next;
        grad[i] = 0;
      }
    } else if (this.kind === 'rmsprop') {
      for (let i = 0; i < n; i++) {
        const w = table[i]!;
        const g = grad[i]! + decay * w;
        const ms = RMS_DECAY * m[i]! + (1 - RMS_DECAY) * g * g;
        m[i] = ms;
        const next = w - (lr * g) / Math.sqrt(ms + EPSILON);
        table[i] = next;
        squares += next * next;
        grad[i] = 0;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const w = table[i]!;
        const next = w - lr * (grad[i]! + decay * w);
        table[i] = next;
        squares += next * next;
        grad[i] = 0;
      }
    }
    this.squares = squares;
  }

  /** The state a checkpoint keeps: the step count and the moments, as one buffer. */
  serialize(): { meta: TableOptimizerMeta; data: Uint8Array } {
    const data = new Uint8Array((this.m.length + this.v.length) * 4);
    const floats = new Float32Array(data.buffer);
    floats.set(this.m);
    floats.set(this.v, this.m.length);
    return { meta: { kind: this.kind, step: this.step, values: this.table.length }, data };
  }

  /** Restores what serialize() wrote; false (state left fresh) when it belongs to another optimizer or table. */
  restore(meta: TableOptimizerMeta, data: Uint8Array): boolean {
    const expected = (this.m.length + this.v.length) * 4;
    if (meta.kind !== this.kind || meta.values !== this.table.length || data.byteLength !== expected) return false;
    const floats = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.m.set(floats.subarray(0, this.m.length));
    this.v.set(floats.subarray(this.m.length));
    this.step = meta.step;
    return true;
  }
}

export interface TableOptimizerMeta {
  kind: OptimizerName;
  step: number;
  /** Weights in the table the state belongs to. */
  values: number;
}
