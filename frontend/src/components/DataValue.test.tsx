import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataValue } from './ui';

describe('DataValue', () => {
  it('runs numbers (signed, Persian digits, percents) left to right, so −2 never shows as 2−', () => {
    for (const v of ['-2', '−2', '۱۲٫۵', '+3', '45%', '(1)']) {
      const { container, unmount } = render(<DataValue value={v} />);
      expect(container.querySelector('bdi')?.getAttribute('dir'), v).toBe('ltr');
      expect(container.textContent).toBe(v);
      unmount();
    }
  });

  it('lets words take their own direction', () => {
    for (const v of ['مثبت', 'positive', 'کلاس 2']) {
      const { container, unmount } = render(<DataValue value={v} />);
      expect(container.querySelector('bdi')?.getAttribute('dir'), v).toBe('auto');
      unmount();
    }
  });
});
