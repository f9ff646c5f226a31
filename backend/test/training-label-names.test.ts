import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestServer } from './helpers.js';
import { persianSentiment, sentimentConfig, toCsv, uploadCsv, waitForJob } from './training-fixtures.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
let token: string;
let datasetId: string;

// Labelled with numbers as SentiPers is (−1 negative, 1 positive): the names are what people read.
const numbered = (count: number, seed: number) => persianSentiment(count, seed).map((r) => ({ text: r.text, label: r.label === 'مثبت' ? '1' : '-1' }));

beforeAll(async () => {
  s = await startTestServer({ TF_BACKEND: 'wasm' });
  token = (await registerUser(s.app)).token;
  datasetId = await uploadCsv(s.app, token, toCsv(numbered(200, 3)));
});
afterAll(async () => {
  await s.close();
});

describe('class names chosen at training', () => {
  it('are kept with the job and the model, and predict answers them beside the raw class', async () => {
    const res = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, { epochs: 3, labelNames: { '1': '  مثبت ', '-1': 'منفی' } }));
    expect(res.status).toBe(201);
    expect(res.body.config.labelNames).toEqual({ '1': 'مثبت', '-1': 'منفی' });
    const done = await waitForJob(s.app, token, res.body.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.model.labels.toSorted()).toEqual(['-1', '1']);
    expect(done.model.labelNames).toEqual({ '1': 'مثبت', '-1': 'منفی' });
    // Evaluation figures stay keyed by the raw classes.
    expect(done.evaluation.report.labels.toSorted()).toEqual(['-1', '1']);

    const labels = await request(s.app).get(`/api/models/${done.modelId}/files/labels.json`).set(bearer(token));
    expect(JSON.parse(labels.text)).toMatchObject({ labelNames: { '1': 'مثبت', '-1': 'منفی' } });

    const predicted = await request(s.app).post(`/api/models/${done.modelId}/predict`).set(bearer(token)).send({ inputs: [{ text: 'این فیلم واقعاً عالی بود' }, { text: 'این کتاب افتضاح بود' }] });
    expect(predicted.status).toBe(200);
    expect(predicted.body.predictions.map((p: any) => [p.label, p.name])).toEqual([
      ['1', 'مثبت'],
      ['-1', 'منفی'],
    ]);
    expect(predicted.body.predictions[0].probabilities.map((p: any) => p.name).toSorted()).toEqual(['مثبت', 'منفی']);

    // Fine-tuning without names keeps the base model's.
    const tuned = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, { modelId: done.modelId, epochs: 1 }));
    expect(tuned.status).toBe(201);
    expect(tuned.body.config.labelNames).toEqual({ '1': 'مثبت', '-1': 'منفی' });
  });

  it('a class without a name answers its raw value', async () => {
    const res = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, { epochs: 1, labelNames: { '1': 'مثبت' } }));
    const done = await waitForJob(s.app, token, res.body.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    const predicted = await request(s.app).post(`/api/models/${done.modelId}/predict`).set(bearer(token)).send({ inputs: { text: 'این کتاب افتضاح بود' } });
    expect(Object.fromEntries(predicted.body.predictions[0].probabilities.map((p: any) => [p.label, p.name]))).toEqual({ '1': 'مثبت', '-1': '-1' });
  });

  it('refuses names of classes the label column does not have, empty names and names for regression', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ labelNames: { '2': 'خیلی مثبت' } }, 'labelNames'],
      [{ labelNames: { '1': '   ' } }, 'labelNames.1'],
      [{ labelNames: { '1': 'x'.repeat(101) } }, 'labelNames.1'],
    ];
    for (const [over, field] of cases) {
      const res = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: any) => d.path), JSON.stringify(over)).toContain(field);
    }
    const unknown = await request(s.app).post('/api/training').set(bearer(token)).send(sentimentConfig(datasetId, { labelNames: { '2': 'خیلی مثبت' } }));
    expect(unknown.body.error.details[0].message).toContain('"2"');

    const tabular = await uploadCsv(s.app, token, 'a,b,y\n1,2,3.5\n2,3,4.5\n3,4,5.5\n4,5,6.5\n5,6,7.5\n6,7,8.5\n', 'عددی', 'numbers.csv');
    const regression = await request(s.app)
      .post('/api/training')
      .set(bearer(token))
      .send({ datasetId: tabular, task: 'tabular-regression', featureColumns: [{ name: 'a' }, { name: 'b' }], labelColumn: 'y', labelNames: { '3.5': 'کم' } });
    expect(regression.status).toBe(400);
    expect(regression.body.error.details.map((d: any) => d.path)).toContain('labelNames');
  });
});
