import { describe, expect, it } from 'vitest';
import { act, renderHook, screen, waitFor } from '@testing-library/react';
import { renderWithApp } from '../test/harness';
import { UploadProgress, useUpload } from './UploadProgress';

const meta = () => [...screen.getByTestId('up').querySelectorAll('.meta-line > span')].map((s) => s.textContent);

describe('UploadProgress', () => {
  it('shows the share, the bytes, the speed and the time left while sending, then what follows once all is sent', () => {
    const first = renderWithApp(<UploadProgress progress={{ loaded: 50, total: 100, startedAt: 0, bytesPerSecond: 10 }} label="ارسال" afterSent="بررسی…" testId="up" />);
    const sending = meta();
    expect(sending).toHaveLength(4);
    expect(sending).not.toContain('بررسی…');
    first.unmount();
    renderWithApp(<UploadProgress progress={{ loaded: 100, total: 100, startedAt: 0, bytesPerSecond: 10 }} label="ارسال" afterSent="بررسی…" testId="up" />);
    // No time left once every byte is out; the server's turn is named instead.
    expect(meta()).toHaveLength(4);
    expect(meta().at(-1)).toBe('بررسی…');
  });

  it('shows no speed or time left before a rate is known', () => {
    renderWithApp(<UploadProgress progress={{ loaded: 1, total: 100, startedAt: 0, bytesPerSecond: 0 }} label="ارسال" afterSent="بررسی…" testId="up" />);
    expect(meta()).toHaveLength(2);
  });
});

describe('useUpload', () => {
  it('tracks the bytes of the send it runs and clears them whichever way it ends; cancel aborts its signal', async () => {
    const { result } = renderHook(() => useUpload());
    let signal: AbortSignal | null = null;
    let report: ((loaded: number, total: number) => void) | null = null;
    let finish!: (v: string) => void;
    let pending!: Promise<string>;
    act(() => {
      pending = result.current.run(1000, (send) => {
        signal = send.signal;
        report = send.onProgress;
        return new Promise<string>((resolve) => (finish = resolve));
      });
    });
    expect(result.current.progress).toMatchObject({ loaded: 0, total: 1000 });
    act(() => report!(400, 1000));
    expect(result.current.progress).toMatchObject({ loaded: 400, total: 1000 });
    act(() => result.current.cancel());
    expect(signal!.aborted).toBe(true);
    await act(async () => {
      finish('ok');
      expect(await pending).toBe('ok');
    });
    await waitFor(() => expect(result.current.progress).toBeNull());

    await act(async () => {
      await expect(result.current.run(10, () => Promise.reject(new Error('بسته شد')))).rejects.toThrow('بسته شد');
    });
    expect(result.current.progress).toBeNull();
  });
});
