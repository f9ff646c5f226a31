import createDOMPurify, { type DOMPurify } from 'dompurify';
import { marked } from 'marked';

// Blocks whose direction follows their own text: a Persian paragraph runs right to left, an English one left to right.
const BLOCKS = new Set(['P', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'TD', 'TH', 'DT', 'DD']);

let purifier: DOMPurify | null = null;

function purify(): DOMPurify {
  if (purifier) return purifier;
  const p = createDOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    if (!(node instanceof Element)) return;
    if (BLOCKS.has(node.tagName)) node.setAttribute('dir', 'auto');
    if (node.tagName === 'PRE' || node.tagName === 'CODE') node.setAttribute('dir', 'ltr');
    // Code and tables scroll sideways when wide: keyboard users must be able to reach and scroll them.
    if (node.tagName === 'PRE' || node.tagName === 'TABLE') node.setAttribute('tabindex', '0');
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  purifier = p;
  return p;
}

/**
 * A repository's model card (Markdown, as written by its authors: untrusted) as HTML safe to insert: scripts,
 * event handlers, styles, forms, frames and remote images removed (the page's CSP would block those images
 * anyway), links opened apart, and each block's direction taken from its own text.
 */
export function renderModelCard(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return purify().sanitize(html, {
    FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
    FORBID_ATTR: ['style', 'class', 'id'],
  });
}
