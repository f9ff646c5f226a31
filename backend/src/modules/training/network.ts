import { SPARSE_INPUT_NAMES, type LayerConfig, type OptimizerName, type TrainingConfig, type TrainingTask } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';

/** The output size of a task: one unit per class (softmax), or one linear unit for regression. */
export const outputUnits = (task: TrainingTask, classes: number) => (task === 'tabular-regression' ? 1 : classes);

/** Weights of the network the config describes on `inputDim` features (kernels + biases of the dense layers). */
export function countParameters(layers: readonly LayerConfig[], inputDim: number, outputs: number): number {
  let width = inputDim;
  let total = 0;
  for (const l of layers) {
    if (l.type !== 'dense') continue;
    total += width * l.units + l.units;
    width = l.units;
  }
  return total + width * outputs + outputs;
}

/**
 * The network the config describes: the sparse form (text models) or tf.sequential() over dense rows.
 * Both compute the same function of the same features; the sparse one only touches each row's non-zeros.
 */
export function buildNetwork(config: Pick<TrainingConfig, 'layers' | 'task' | 'seed' | 'input' | 'l2'>, inputDim: number, outputs: number): tf.LayersModel {
  return config.input === 'sparse' ? buildSparseNetwork(config, inputDim, outputs) : buildDenseNetwork(config, inputDim, outputs);
}

/** The L2 penalty on the first layer's weights, when the config asks for one (stored configs may lack it). */
const l2Of = (config: Pick<TrainingConfig, 'l2'>) => (config.l2 ? tf.regularizers.l2({ l2: config.l2 }) : undefined);

/**
 * Inputs: feature ids [batch, n] and their weights [batch, n] (common/'s SparseEncoder, bias slot last). The
 * first dense layer is an embedding of dim + 1 rows combined with the weights by a dot over n, i.e. x·W + b
 * over the non-zeros, then its activation. Dropout layers before it act on the weights (dropout of the
 * inputs). Without a dense layer the embedding has one column per output: multinomial logistic regression.
 */
function buildSparseNetwork(config: Pick<TrainingConfig, 'layers' | 'task' | 'seed' | 'l2'>, inputDim: number, outputs: number): tf.LayersModel {
  const seed = config.seed ?? 0;
  const regression = config.task === 'tabular-regression';
  const ids = tf.input({ shape: [null], dtype: 'int32', name: SPARSE_INPUT_NAMES[0] });
  const weightsIn = tf.input({ shape: [null], name: SPARSE_INPUT_NAMES[1] });
  const first = config.layers.findIndex((l) => l.type === 'dense');
  const lead = first === -1 ? config.layers : config.layers.slice(0, first);
  let weights = weightsIn as tf.SymbolicTensor;
  lead.forEach((l, i) => {
    if (l.type === 'dropout') weights = tf.layers.dropout({ rate: l.rate, seed: seed + i }).apply(weights) as tf.SymbolicTensor;
  });
  const firstDense = first === -1 ? null : (config.layers[first] as Extract<LayerConfig, { type: 'dense' }>);
  const units = firstDense ? firstDense.units : outputs;
  const activation = firstDense ? firstDense.activation : regression ? 'linear' : 'softmax';
  const at = first === -1 ? config.layers.length : first;
  const embedded = tf.layers
    .embedding({
      inputDim: inputDim + 1,
      outputDim: units,
      embeddingsInitializer: tf.initializers.glorotUniform({ seed: seed + at }),
      embeddingsRegularizer: l2Of(config),
      name: 'sparse_embedding',
    })
    .apply(ids) as tf.SymbolicTensor;
  let h = tf.layers.dot({ axes: 1, name: 'sparse_sum' }).apply([weights, embedded]) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation, name: 'sparse_activation' }).apply(h) as tf.SymbolicTensor;
  if (firstDense) {
    config.layers.slice(first + 1).forEach((l, j) => {
      const i = first + 1 + j;
      h = (
        l.type === 'dense'
          ? tf.layers.dense({ units: l.units, activation: l.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }) })
          : tf.layers.dropout({ rate: l.rate, seed: seed + i })
      ).apply(h) as tf.SymbolicTensor;
    });
    h = tf.layers
      .dense({ units: outputs, activation: regression ? 'linear' : 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + config.layers.length }) })
      .apply(h) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: [ids, weightsIn], outputs: h });
}

/**
 * tf.sequential() with the configured dense and dropout layers and an output layer that fits the task.
 * Initialisers and dropout take the seed, so a given seed builds the same network.
 */
function buildDenseNetwork(config: Pick<TrainingConfig, 'layers' | 'task' | 'seed' | 'l2'>, inputDim: number, outputs: number): tf.Sequential {
  const model = tf.sequential();
  const seed = config.seed ?? 0;
  config.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: [inputDim] } : {};
    const firstDense = config.layers.findIndex((x) => x.type === 'dense') === i;
    if (l.type === 'dense') {
      model.add(
        tf.layers.dense({ ...first, units: l.units, activation: l.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }), kernelRegularizer: firstDense ? l2Of(config) : undefined }),
      );
    } else {
      model.add(tf.layers.dropout({ ...first, rate: l.rate, seed: seed + i }));
    }
  });
  const regression = config.task === 'tabular-regression';
  model.add(
    tf.layers.dense({
      ...(config.layers.length === 0 ? { inputShape: [inputDim] } : {}),
      units: outputs,
      activation: regression ? 'linear' : 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + config.layers.length }),
      kernelRegularizer: config.layers.some((l) => l.type === 'dense') ? undefined : l2Of(config),
    }),
  );
  return model;
}

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (name === 'sgd') return tf.train.sgd(learningRate);
  if (name === 'rmsprop') return tf.train.rmsprop(learningRate);
  return tf.train.adam(learningRate);
}

/** Compiles with the chosen optimizer and the loss of the task (cross-entropy on one-hot classes, or MSE). */
export function compileNetwork(model: tf.LayersModel, config: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'task'>): void {
  const regression = config.task === 'tabular-regression';
  model.compile({
    optimizer: createOptimizer(config.optimizer, config.learningRate),
    loss: regression ? 'meanSquaredError' : 'categoricalCrossentropy',
    metrics: regression ? [] : ['accuracy'],
  });
}

/** Disposes the model and its optimizer (a model does not dispose an optimizer instance it was given). */
export function disposeNetwork(model: tf.LayersModel): void {
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  model.dispose();
  optimizer?.dispose();
}
