import { useTranslation } from 'react-i18next';
import { ACTIVATIONS, TRAINING_LIMITS, type Activation } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from '../../components/icons';
import { Button } from '../../components/ui';
import type { FieldErrors } from '../../lib/validation';
import { newLayer, type LayerDraft } from './form-model';

interface Props {
  layers: LayerDraft[];
  onChange: (layers: LayerDraft[]) => void;
  /** Errors keyed by `layers.<i>.<field>` (and `layers` for the list). */
  errors: FieldErrors;
  /** Input size and output size, when known, to show the network's shape end to end. */
  inputLabel?: string;
  outputLabel?: string;
}

/** Hidden layers of the network, edited in place; the output layer is added by the server from the task. */
export function LayerBuilder({ layers, onChange, errors, inputLabel, outputLabel }: Props) {
  const { t } = useTranslation();
  const f = useFormat();
  const update = (index: number, patch: Partial<LayerDraft>) => onChange(layers.map((l, i) => (i === index ? { ...l, ...patch } : l)));
  const move = (index: number, delta: number) => {
    const next = [...layers];
    const [item] = next.splice(index, 1);
    if (!item) return;
    next.splice(index + delta, 0, item);
    onChange(next);
  };
  const full = layers.length >= TRAINING_LIMITS.maxLayers;
  return (
    <div className="layers" role="group" aria-label={t('training.layers.title')}>
      {inputLabel && <div className="layer-io">{inputLabel}</div>}
      <ol className="layer-list">
        {layers.map((layer, i) => {
          const unitsError = errors[`layers.${i}.units`];
          const rateError = errors[`layers.${i}.rate`];
          const n = f.number(i + 1);
          return (
            <li key={layer.key} className={`layer layer-${layer.type}`} data-testid="layer">
              <span className="layer-index" aria-hidden="true">
                {n}
              </span>
              <label className="layer-field">
                <span className="visually-hidden">{t('training.layers.typeOf', { n })}</span>
                <select
                  className="select"
                  value={layer.type}
                  onChange={(e) => update(i, { type: e.target.value as LayerDraft['type'] })}
                  aria-label={t('training.layers.typeOf', { n })}
                >
                  <option value="dense">{t('training.layers.dense')}</option>
                  <option value="dropout">{t('training.layers.dropout')}</option>
                </select>
              </label>
              {layer.type === 'dense' ? (
                <>
                  <label className="layer-field">
                    <span className="layer-field-label">{t('training.layers.units')}</span>
                    <input
                      className="input"
                      inputMode="numeric"
                      value={f.digits(layer.units)}
                      onChange={(e) => update(i, { units: e.target.value })}
                      aria-invalid={unitsError ? true : undefined}
                      aria-label={t('training.layers.unitsOf', { n })}
                      dir="ltr"
                    />
                  </label>
                  <label className="layer-field">
                    <span className="layer-field-label">{t('training.layers.activation')}</span>
                    <select
                      className="select"
                      value={layer.activation}
                      onChange={(e) => update(i, { activation: e.target.value as Activation })}
                      aria-label={t('training.layers.activationOf', { n })}
                    >
                      {ACTIVATIONS.map((a) => (
                        <option key={a} value={a}>
                          {a}
                        </option>
                      ))}
                    </select>
                  </label>
                </>
              ) : (
                <label className="layer-field">
                  <span className="layer-field-label">{t('training.layers.rate')}</span>
                  <input
                    className="input"
                    inputMode="decimal"
                    value={f.digits(layer.rate)}
                    onChange={(e) => update(i, { rate: e.target.value })}
                    aria-invalid={rateError ? true : undefined}
                    aria-label={t('training.layers.rateOf', { n })}
                    dir="ltr"
                  />
                </label>
              )}
              <div className="layer-actions">
                <button type="button" className="icon-btn" onClick={() => move(i, -1)} disabled={i === 0} aria-label={t('training.layers.up', { n })}>
                  <ArrowUpIcon />
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  onClick={() => move(i, 1)}
                  disabled={i === layers.length - 1}
                  aria-label={t('training.layers.down', { n })}
                >
                  <ArrowDownIcon />
                </button>
                <button type="button" className="icon-btn" onClick={() => onChange(layers.filter((_, j) => j !== i))} aria-label={t('training.layers.remove', { n })}>
                  <TrashIcon />
                </button>
              </div>
              {(unitsError || rateError) && (
                <p className="field-error layer-error" role="alert">
                  {unitsError ?? rateError}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {layers.length === 0 && <p className="muted">{t('training.layers.none')}</p>}
      {errors.layers && (
        <p className="field-error" role="alert">
          {errors.layers}
        </p>
      )}
      {outputLabel && <div className="layer-io">{outputLabel}</div>}
      <div className="form-actions">
        <Button size="sm" icon={<PlusIcon />} onClick={() => onChange([...layers, newLayer('dense')])} disabled={full}>
          {t('training.layers.addDense')}
        </Button>
        <Button size="sm" icon={<PlusIcon />} onClick={() => onChange([...layers, newLayer('dropout')])} disabled={full}>
          {t('training.layers.addDropout')}
        </Button>
        {full && <span className="field-hint">{t('training.layers.max', { n: f.number(TRAINING_LIMITS.maxLayers) })}</span>}
      </div>
    </div>
  );
}
