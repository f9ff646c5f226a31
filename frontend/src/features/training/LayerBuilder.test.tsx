import { useMemo, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithApp } from '../../test/harness';
import { useFormat } from '../../app/preferences';
import { useTranslation } from 'react-i18next';
import { issuesToFieldErrors } from '../../lib/validation';
import { buildRequest, defaultDraft, newLayer, type LayerDraft } from './form-model';
import { LayerBuilder } from './LayerBuilder';

/** The builder as the form uses it: errors recomputed from the draft on every keystroke. */
function Harness({ onLayers }: { onLayers?: (layers: LayerDraft[]) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  // The builder with a dense + dropout stack (the form's default is a linear head with no hidden layer).
  const [layers, setLayers] = useState(() => [newLayer('dense'), newLayer('dropout')]);
  const errors = useMemo(() => {
    const draft = { ...defaultDraft(), datasetId: '6f1c1f0e-8c1a-4c55-9a44-1f5f8f0b9a11', textColumn: 'متن', labelColumn: 'برچسب', layers };
    return issuesToFieldErrors(t, buildRequest(draft).issues, (n) => f.number(n));
  }, [layers, t, f]);
  return (
    <LayerBuilder
      layers={layers}
      errors={errors}
      onChange={(next) => {
        setLayers(next);
        onLayers?.(next);
      }}
    />
  );
}

describe('LayerBuilder', () => {
  it('shows the default dense + dropout stack', () => {
    renderWithApp(<Harness />);
    expect(screen.getAllByTestId('layer')).toHaveLength(2);
    // Shown in the user's digits (Persian by default), like the text around the fields.
    expect(screen.getByLabelText('تعداد واحدهای لایهٔ ۱')).toHaveProperty('value', '۶۴');
    expect(screen.getByLabelText('نرخ حذف لایهٔ ۲')).toHaveProperty('value', '۰٫۲');
  });

  it('validates units and dropout rate as you type, in Persian', async () => {
    const user = userEvent.setup();
    renderWithApp(<Harness />);
    const units = screen.getByLabelText('تعداد واحدهای لایهٔ ۱');
    await user.clear(units);
    await user.type(units, '0');
    expect(screen.getByText('مقدار باید دست‌کم ۱ باشد.')).toBeTruthy();
    expect(units.getAttribute('aria-invalid')).toBe('true');
    await user.clear(units);
    await user.type(units, '۱۲۸');
    expect(screen.queryByText('مقدار باید دست‌کم ۱ باشد.')).toBeNull();

    const rate = screen.getByLabelText('نرخ حذف لایهٔ ۲');
    await user.clear(rate);
    await user.type(rate, '1.5');
    expect(screen.getByText('مقدار باید حداکثر ۰٫۹ باشد.')).toBeTruthy();
    await user.clear(rate);
    await user.type(rate, 'x');
    expect(screen.getByText('یک عدد وارد کنید.')).toBeTruthy();
  });

  it('adds, reorders and removes layers', async () => {
    const user = userEvent.setup();
    let latest: LayerDraft[] = [];
    renderWithApp(<Harness onLayers={(l) => (latest = l)} />);
    await user.click(screen.getByRole('button', { name: 'لایهٔ چگال' }));
    expect(screen.getAllByTestId('layer')).toHaveLength(3);
    expect(latest.map((l) => l.type)).toEqual(['dense', 'dropout', 'dense']);

    await user.click(screen.getByRole('button', { name: 'بردن لایهٔ ۳ به بالا' }));
    expect(latest.map((l) => l.type)).toEqual(['dense', 'dense', 'dropout']);

    await user.click(screen.getByRole('button', { name: 'حذف لایهٔ ۱' }));
    expect(latest.map((l) => l.type)).toEqual(['dense', 'dropout']);

    const second = screen.getAllByTestId('layer')[1]!;
    await user.selectOptions(within(second).getByLabelText('نوع لایهٔ ۲'), 'dense');
    expect(latest.map((l) => l.type)).toEqual(['dense', 'dense']);
    expect(screen.getByRole('button', { name: 'بردن لایهٔ ۱ به بالا' }).hasAttribute('disabled')).toBe(true);
  });
});
