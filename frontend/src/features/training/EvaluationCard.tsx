import { useTranslation } from 'react-i18next';
import { labelName, type LabelNames, type ModelEvaluation } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { DataValue, TableWrap } from '../../components/ui';

/**
 * The saved model on the job's held-out rows: accuracy, macro-F1, per-class precision / recall / F1, and the
 * confusion matrix as a grid (rows: true class, columns: predicted), each cell shaded by its share of the row.
 */
export function EvaluationCard({ evaluation, bestEpoch, labelNames }: { evaluation: ModelEvaluation; bestEpoch: number | null; labelNames?: LabelNames | null | undefined }) {
  const { t } = useTranslation();
  const f = useFormat();
  const r = evaluation.report;
  // The report keeps the raw classes; they are shown by the names chosen at training.
  const name = (label: string) => <DataValue value={labelName(labelNames, label)} />;
  const pct = (v: number) => f.percent(v, 1);
  return (
    <div data-testid="evaluation">
      <p className="muted">
        {t(`training.evaluation.split.${evaluation.split}`, { rows: f.number(r.rows) })}
        {bestEpoch !== null && <> · {t('training.evaluation.keptEpoch', { epoch: f.number(bestEpoch) })}</>}
      </p>
      <dl className="facts">
        <dt>{t('training.evaluation.accuracy')}</dt>
        <dd data-testid="eval-accuracy">{pct(r.accuracy)}</dd>
        <dt>{t('training.evaluation.macroF1')}</dt>
        <dd data-testid="eval-macro-f1">{pct(r.macroF1)}</dd>
      </dl>
      <TableWrap label={t('training.evaluation.title')}>
        <table className="table" data-testid="per-class">
          <thead>
            <tr>
              <th scope="col">{t('training.evaluation.class')}</th>
              <th scope="col" className="num">{t('training.evaluation.precision')}</th>
              <th scope="col" className="num">{t('training.evaluation.recall')}</th>
              <th scope="col" className="num">{t('training.evaluation.f1')}</th>
              <th scope="col" className="num">{t('training.evaluation.support')}</th>
            </tr>
          </thead>
          <tbody>
            {r.perClass.map((c) => (
              <tr key={c.label}>
                <th scope="row">{name(c.label)}</th>
                <td className="num">{pct(c.precision)}</td>
                <td className="num">{pct(c.recall)}</td>
                <td className="num">{pct(c.f1)}</td>
                <td className="num">{f.number(c.support)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h3 className="card-subtitle">{t('training.evaluation.confusion')}</h3>
      <TableWrap label={t('training.evaluation.confusion')}>
        <table className="table confusion" data-testid="confusion">
          <caption className="muted">{t('training.evaluation.confusionHint')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('training.evaluation.trueClass')}</th>
              {r.labels.map((l) => (
                <th key={l} scope="col" className="num">
                  {name(l)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.confusion.map((row, i) => {
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={r.labels[i]}>
                  <th scope="row">{name(r.labels[i] ?? '')}</th>
                  {row.map((n, j) => {
                    const share = total > 0 ? n / total : 0;
                    return (
                      <td
                        key={j}
                        className="num"
                        data-share={share.toFixed(3)}
                        title={pct(share)}
                        style={{ background: `color-mix(in srgb, var(${i === j ? '--color-success, #2e7d32' : '--color-danger, #c62828'}) ${Math.round(share * 70)}%, transparent)` }}
                      >
                        {f.number(n)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
    </div>
  );
}
