import type { LayerConfig, OptimizerName, TrainingConfig, TrainingTask } from '@sokhan/common';
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
 * tf.sequential() with the configured dense and dropout layers and an output layer that fits the task.
 * Initialisers and dropout take the seed, so a given seed builds the same network.
 */
export function buildNetwork(config: Pick<TrainingConfig, 'layers' | 'task' | 'seed'>, inputDim: number, outputs: number): tf.Sequential {
  const model = tf.sequential();
  const seed = config.seed ?? 0;
  config.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: [inputDim] } : {};
    if (l.type === 'dense') {
      model.add(tf.layers.dense({ ...first, units: l.units, activation: l.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }) }));
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
