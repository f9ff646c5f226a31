import { seededRandom, type TrainingConfig } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { TableOptimizer, type TableOptimizerMeta } from './table-optimizer.js';
import type { EncodedRow } from './training-batches.js';

/** What fitSparse reports, with the names and meaning of TensorFlow.js's fit logs. */
export interface FitLogs {
  loss?: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

/** The callbacks of fitDataset the trainer uses, so one set drives either loop. */
export interface FitCallbacks {
  onEpochBegin?: (epoch: number) => Promise<void>;
  onBatchEnd?: (batch: number, logs?: FitLogs) => Promise<void>;
  onEpochEnd?: (epoch: number, logs?: FitLogs) => Promise<void>;
}

export interface FitOptions {
  epochs: number;
  initialEpoch?: number;
  /** The training batches of one epoch; called once per epoch, after onEpochBegin. */
  train: () => AsyncIterable<EncodedRow[]>;
  validation?: () => AsyncIterable<EncodedRow[]>;
  /** Loss weight of each class id (rows of other targets weigh 1). */
  classWeight?: Record<number, number>;
  callbacks: FitCallbacks;
}

/** TensorFlow.js's epsilon(): probabilities are clipped to [ε, 1 − ε] by its categorical cross-entropy. */
const EPSILON = 1e-7;
const EMBEDDING = 'sparse_embedding';
const ACTIVATION = 'sparse_activation';

/** Grows a typed array buffer to at least n values (contents not kept). */
function atLeast<T extends Float32Array | Int32Array>(buf: T, n: number, make: (n: number) => T): T {
  return buf.length >= n ? buf : make(Math.max(n, buf.length * 2));
}

/**
 * Trains the sparse text network (network.ts: embedding ⋅ weights → activation → dense head) without asking
 * TensorFlow.js to touch the whole embedding table at every step. The first layer, x·W over a row's non-zeros,
 * is computed here in plain loops, and its gradient reaches only the rows the batch used (TableOptimizer). The
 * rest of the network — activation, hidden layers, output — runs as the model's own layers under TensorFlow.js
 * autodiff, from the first layer's output. The model keeps the same layers and file format; its table is
 * written back by syncModel() (before a checkpoint, and at the end).
 */
export class SparseFitter {
  private readonly embedding: tf.layers.Layer;
  private readonly head: tf.layers.Layer[];
  /** Dropout rates on the input weights (layers before the first dense one), applied in order. */
  private readonly inputDropout: number[];
  readonly table: Float32Array;
  readonly units: number;
  readonly optimizer: TableOptimizer;
  private readonly headVariables: tf.Variable[];
  private readonly regression: boolean;
  private readonly rnd: () => number;
  /** Table row → its position among the batch's distinct rows, −1 when unused (reset after every batch). */
  private readonly slot: Int32Array;
  private distinct = new Int32Array(1024);
  private local = new Int32Array(4096);
  private weights = new Float32Array(4096);
  private grads = new Float32Array(4096);

  constructor(
    readonly model: tf.LayersModel,
    config: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'l2' | 'task' | 'seed'>,
  ) {
    this.embedding = model.getLayer(EMBEDDING);
    const at = model.layers.findIndex((l) => l.name === ACTIVATION);
    if (at === -1) throw new Error(`the sparse network has no ${ACTIVATION} layer`);
    this.head = model.layers.slice(at);
    this.inputDropout = model.layers
      .slice(0, at)
      .filter((l) => l.getClassName() === 'Dropout')
      .map((l) => Number((l.getConfig() as { rate: number }).rate));
    const [table] = this.embedding.getWeights();
    this.units = table!.shape[1]!;
    this.table = (table!.dataSync() as Float32Array).slice();
    this.slot = new Int32Array(table!.shape[0]!).fill(-1);
    this.optimizer = new TableOptimizer(config.optimizer, config.learningRate, config.l2 ?? 0, this.table, this.units);
    this.headVariables = this.head.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    this.regression = config.task === 'tabular-regression';
    this.rnd = seededRandom((config.seed ?? 0) * 31 + 17);
  }

  /**
   * The first layer's pre-activation for a batch, [rows × units], with the batch's distinct table rows and,
   * per non-zero, its distinct position and (dropped-out) weight kept for the backward pass.
   */
  private forward(batch: readonly EncodedRow[], training: boolean): { h: Float32Array; distinct: number } {
    const units = this.units;
    let total = 0;
    for (const r of batch) total += r.values.length;
    this.local = atLeast(this.local, total, (n) => new Int32Array(n));
    this.weights = atLeast(this.weights, total, (n) => new Float32Array(n));
    this.distinct = atLeast(this.distinct, total, (n) => new Int32Array(n));
    const { slot, local, weights, distinct, table } = this;
    const h = new Float32Array(batch.length * units);
    const dropout = training ? this.inputDropout : [];
    let d = 0;
    let at = 0;
    for (let i = 0; i < batch.length; i++) {
      const { ids, values } = batch[i]!;
      const out = i * units;
      for (let k = 0; k < values.length; k++, at++) {
        const id = ids![k]!;
        let s = slot[id]!;
        if (s === -1) {
          s = d;
          slot[id] = d;
          distinct[d++] = id;
        }
        let w = values[k]!;
        for (let r = 0; r < dropout.length; r++) w = this.rnd() < dropout[r]! ? 0 : w / (1 - dropout[r]!);
        local[at] = s;
        weights[at] = w;
        if (w === 0) continue;
        const row = id * units;
        for (let u = 0; u < units; u++) h[out + u]! += w * table[row + u]!;
      }
    }
    return { h, distinct: d };
  }

  private releaseSlots(distinct: number): void {
    for (let k = 0; k < distinct; k++) this.slot[this.distinct[k]!] = -1;
  }

  /** The rest of the network from the first layer's pre-activation, and its per-row loss (unweighted). */
  private headLoss(h: tf.Tensor, targets: tf.Tensor, training: boolean): { output: tf.Tensor; losses: tf.Tensor } {
    let out = h;
    for (const layer of this.head) out = layer.apply(out, { training }) as tf.Tensor;
    if (this.regression) return { output: out, losses: tf.mean(tf.square(tf.sub(targets, out)), -1) };
    const p = tf.clipByValue(tf.div(out, tf.sum(out, -1, true)), EPSILON, 1 - EPSILON);
    return { output: out, losses: tf.neg(tf.sum(tf.mul(targets, tf.log(p)), -1)) };
  }

  private targets(batch: readonly EncodedRow[], classes: number): tf.Tensor {
    if (this.regression) return tf.tensor2d(Float32Array.from(batch, (r) => r.target), [batch.length, 1]);
    return tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(batch, (r) => r.target), 'int32'), classes).toFloat());
  }

  /** Correct predictions in a batch (arg-max of the output row equals the target); 0 for regression. */
  private correct(batch: readonly EncodedRow[], output: Float32Array | Int32Array | Uint8Array, classes: number): number {
    if (!this.reportsAccuracy) return 0;
    let n = 0;
    batch.forEach((r, i) => {
      let best = 0;
      for (let c = 1; c < classes; c++) if (output[i * classes + c]! > output[i * classes + best]!) best = c;
      if (best === r.target) n += 1;
    });
    return n;
  }

  /** Classification reports accuracy; regression (one linear output) only its loss, as compiled. */
  get reportsAccuracy(): boolean {
    return !this.regression;
  }

  private get classes(): number {
    return this.model.outputs[0]!.shape.at(-1) ?? 1;
  }

  /** One optimizer step on a batch; returns its loss (with the L2 term) and correct predictions. */
  trainBatch(batch: readonly EncodedRow[], classWeight?: Record<number, number>): { loss: number; correct: number } {
    const classes = this.classes;
    const { h, distinct } = this.forward(batch, true);
    try {
      const penalty = this.optimizer.penalty();
      const h0 = tf.tensor2d(h, [batch.length, this.units]);
      const hVar = tf.variable(h0, true);
      h0.dispose();
      const ys = this.targets(batch, classes);
      const sampleWeights = classWeight ? tf.tensor1d(Float32Array.from(batch, (r) => classWeight[r.target] ?? 1)) : null;
      const kept: { output?: tf.Tensor } = {};
      try {
        const { value, grads } = tf.variableGrads(() => {
          const r = this.headLoss(hVar, ys, true);
          kept.output = tf.keep(r.output);
          return tf.mean(sampleWeights ? tf.mul(r.losses, sampleWeights) : r.losses) as tf.Scalar;
        }, [hVar, ...this.headVariables]);
        try {
          const loss = value.dataSync()[0]! + penalty;
          const dh = grads[hVar.name]!.dataSync() as Float32Array;
          if (this.headVariables.length) (this.model.optimizer as tf.Optimizer).applyGradients(Object.fromEntries(this.headVariables.map((v) => [v.name, grads[v.name]!])));
          const correct = this.correct(batch, kept.output!.dataSync(), classes);
          this.backward(batch, dh, distinct);
          return { loss, correct };
        } finally {
          tf.dispose([value, ...Object.values(grads)]);
        }
      } finally {
        tf.dispose([hVar, ys, ...(sampleWeights ? [sampleWeights] : []), ...(kept.output ? [kept.output] : [])]);
      }
    } finally {
      this.releaseSlots(distinct);
    }
  }

  /** dL/dW of the distinct rows: each non-zero adds its weight × the row's output gradient; then one step. */
  private backward(batch: readonly EncodedRow[], dh: Float32Array, distinct: number): void {
    const units = this.units;
    this.grads = atLeast(this.grads, distinct * units, (n) => new Float32Array(n));
    const grads = this.grads.subarray(0, distinct * units).fill(0);
    const { local, weights } = this;
    let at = 0;
    for (let i = 0; i < batch.length; i++) {
      const n = batch[i]!.values.length;
      const out = i * units;
      for (let k = 0; k < n; k++, at++) {
        const w = weights[at]!;
        if (w === 0) continue;
        const g = local[at]! * units;
        for (let u = 0; u < units; u++) grads[g + u]! += w * dh[out + u]!;
      }
    }
    this.optimizer.apply(this.distinct.subarray(0, distinct), grads);
  }

  /** Mean loss (unweighted, no L2, as TensorFlow.js's validation loss) and accuracy over batches. */
  async evaluate(batches: AsyncIterable<EncodedRow[]>): Promise<{ loss: number; acc: number }> {
    const classes = this.classes;
    let rows = 0;
    let lossSum = 0;
    let correct = 0;
    for await (const batch of batches) {
      const { h, distinct } = this.forward(batch, false);
      this.releaseSlots(distinct);
      const [sum, output] = tf.tidy(() => {
        const r = this.headLoss(tf.tensor2d(h, [batch.length, this.units]), this.targets(batch, classes), false);
        return [tf.sum(r.losses).dataSync()[0]!, r.output.dataSync()] as const;
      });
      rows += batch.length;
      lossSum += sum;
      correct += this.correct(batch, output, classes);
    }
    return { loss: rows ? lossSum / rows : NaN, acc: rows ? correct / rows : NaN };
  }

  /** Writes the trained table into the model's embedding layer (the model is then saved or used as is). */
  syncModel(): void {
    const [shape] = this.embedding.getWeights().map((w) => w.shape);
    const t = tf.tensor2d(this.table, shape as [number, number]);
    this.embedding.setWeights([t]);
    t.dispose();
  }

  optimizerState(): { meta: TableOptimizerMeta; data: Uint8Array } {
    return this.optimizer.serialize();
  }

  restoreOptimizer(meta: TableOptimizerMeta, data: Uint8Array): boolean {
    return this.optimizer.restore(meta, data);
  }
}

/**
 * fitDataset's loop for the sparse network: epochs of batches with the same callbacks, logs and stop rules
 * (model.stopTraining ends the epoch after the current batch; validation runs only after a whole epoch).
 */
export async function fitSparse(fitter: SparseFitter, opts: FitOptions): Promise<void> {
  const { model } = fitter;
  model.stopTraining = false;
  for (let epoch = opts.initialEpoch ?? 0; epoch < opts.epochs; epoch++) {
    await opts.callbacks.onEpochBegin?.(epoch);
    let rows = 0;
    let lossSum = 0;
    let correct = 0;
    let batchIndex = 0;
    let finished = true;
    for await (const batch of opts.train()) {
      if (!batch.length) continue;
      const r = fitter.trainBatch(batch, opts.classWeight);
      rows += batch.length;
      lossSum += r.loss * batch.length;
      correct += r.correct;
      await opts.callbacks.onBatchEnd?.(batchIndex++, { loss: r.loss, ...(fitter.reportsAccuracy ? { acc: r.correct / batch.length } : {}) });
      if (model.stopTraining) {
        finished = false;
        break;
      }
    }
    const accuracy = fitter.reportsAccuracy;
    const logs: FitLogs = rows ? { loss: lossSum / rows, ...(accuracy ? { acc: correct / rows } : {}) } : {};
    if (finished && opts.validation) {
      const v = await fitter.evaluate(opts.validation());
      logs.val_loss = v.loss;
      if (accuracy) logs.val_acc = v.acc;
    }
    await opts.callbacks.onEpochEnd?.(epoch, logs);
    if (model.stopTraining) break;
  }
}
