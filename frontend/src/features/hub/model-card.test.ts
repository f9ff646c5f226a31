import { describe, expect, it } from 'vitest';
import { renderModelCard } from './model-card';

const dom = (html: string) => {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
};

describe('renderModelCard', () => {
  it('renders Markdown with each block taking its own direction, code left to right', () => {
    const d = dom(renderModelCard('# صدای فارسی\n\nصدای مرد فارسی برای Piper.\n\nEnglish paragraph.\n\n- یک\n- two\n\n```sh\necho "سلام" | piper\n```\n'));
    expect(d.querySelector('h1')?.textContent).toBe('صدای فارسی');
    expect([...d.querySelectorAll('p')].map((p) => p.getAttribute('dir'))).toEqual(['auto', 'auto']);
    expect([...d.querySelectorAll('li')].every((li) => li.getAttribute('dir') === 'auto')).toBe(true);
    expect(d.querySelector('pre')?.getAttribute('dir')).toBe('ltr');
    expect(d.querySelector('code')?.textContent).toContain('echo "سلام" | piper');
  });

  it('removes scripts, handlers, javascript: links, styles, frames and images; links open apart', () => {
    const html = renderModelCard(
      '<script>alert(1)</script>\n\n<p onclick="alert(2)" style="color:red">x</p>\n\n[bad](javascript:alert(3)) [ok](https://huggingface.co/docs)\n\n<iframe src="https://evil.example"></iframe>\n\n![t](https://tracker.example/p.png)\n',
    );
    expect(html).not.toMatch(/script|onclick|javascript:|style=|iframe|<img|tracker/i);
    const d = dom(html);
    const ok = [...d.querySelectorAll('a')].find((a) => a.textContent === 'ok')!;
    expect(ok.getAttribute('href')).toBe('https://huggingface.co/docs');
    expect(ok.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(ok.getAttribute('target')).toBe('_blank');
  });
});
