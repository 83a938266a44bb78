// HTML rendering of a table layout (for the HTML report): a spanning header row per backbone group, best in <strong>,
// second underlined, footnotes under the table.
import type { LCell, TableLayout } from './layout.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cellHtml(c: LCell): string {
  const marks = c.marks.length ? `<sup>${c.marks.map(escapeHtml).join(',')}</sup>` : '';
  const inner = c.kind === 'text' ? escapeHtml(c.text) : `${c.mean}${c.std === null ? '' : ` ± ${c.std}`}`;
  const shown = c.rank === 1 ? `<strong>${inner}</strong>` : c.rank === 2 ? `<u>${inner}</u>` : inner;
  const n = c.kind === 'value' ? ` <span class="n">(n=${c.n})</span>` : '';
  return `${shown}${n}${marks}`;
}

export function renderHtmlTable(t: TableLayout, id: string): string {
  const groupRow = [`<th colspan="${t.leading}"></th>`, ...t.groups.map((g) => `<th colspan="${g.span}" class="group">${escapeHtml(g.label)}</th>`)].join('');
  const headRow = t.columns.map((c) => `<th class="${c.align}">${escapeHtml(c.label)}</th>`).join('');
  const body = t.rows.map((r) => {
    const cells = r.cells.map((c, i) => `<td class="${t.columns[i + 1]?.align ?? 'r'}">${cellHtml(c)}</td>`).join('');
    return `<tr class="${r.kind}"><th class="l" scope="row">${escapeHtml(r.label)}</th>${cells}</tr>`;
  }).join('\n');
  const notes = t.footnotes.map((f) => `<li><sup>${escapeHtml(f.mark)}</sup> ${escapeHtml(f.text)}</li>`).join('');
  return [
    `<div class="table-wrap"><table id="${escapeHtml(id)}" class="results">`,
    `<caption>${escapeHtml(t.caption)}</caption>`,
    `<thead><tr>${groupRow}</tr><tr>${headRow}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table></div>`,
    notes ? `<ul class="footnotes">${notes}</ul>` : '',
  ].join('\n');
}
