"""The peer of encoder.bench.ts: StandardScaler + LogisticRegression(max_iter=1000) on the embeddings Sokhan cached.

argv: train.f32 test.f32 dim labels.json. The .f32 files are the caches as written (float32 little-endian, rows x dim,
in the dataset's file order); labels.json is {"train": [...], "test": [...]} in the same order. Prints one JSON line:
the test predictions and the fit and predict times measured here (loading the files is left out of both).
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

train_file, test_file, dim, labels_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(labels_file, encoding='utf-8') as f:
    labels = json.load(f)
x_train = np.fromfile(train_file, dtype='<f4').reshape(-1, dim)
x_test = np.fromfile(test_file, dtype='<f4').reshape(-1, dim)
if len(x_train) != len(labels['train']) or len(x_test) != len(labels['test']):
    sys.exit(f'rows: {len(x_train)} train and {len(x_test)} test embeddings for {len(labels["train"])} and {len(labels["test"])} labels')

clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
t = time.perf_counter()
clf.fit(x_train, labels['train'])
fit_seconds = time.perf_counter() - t
t = time.perf_counter()
predicted = clf.predict(x_test)
predict_seconds = time.perf_counter() - t
print(json.dumps({
    'predictions': [str(p) for p in predicted],
    'fitSeconds': fit_seconds,
    'predictSeconds': predict_seconds,
    'iterations': int(clf[-1].n_iter_.max()),
}))
