import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import { LiveStatus } from './LiveStatus';

describe('LiveStatus', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('speaks progress at most once per interval, the latest figure, and the final message at once', () => {
    const { rerender } = render(<LiveStatus message="۱۰٪" everyMs={10_000} />);
    const region = screen.getByRole('status');
    expect(region.textContent).toBe('۱۰٪');
    rerender(<LiveStatus message="۲۰٪" everyMs={10_000} />);
    rerender(<LiveStatus message="۳۰٪" everyMs={10_000} />);
    act(() => vi.advanceTimersByTime(9_000));
    expect(region.textContent).toBe('۱۰٪');
    act(() => vi.advanceTimersByTime(1_000));
    expect(region.textContent).toBe('۳۰٪');
    rerender(<LiveStatus message="۴۰٪" everyMs={10_000} />);
    act(() => vi.advanceTimersByTime(5_000));
    expect(region.textContent).toBe('۳۰٪');
    rerender(<LiveStatus message="تمام شد" final everyMs={10_000} />);
    act(() => vi.advanceTimersByTime(0));
    expect(region.textContent).toBe('تمام شد');
  });
});
