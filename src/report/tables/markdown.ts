// Markdown (GitHub-flavoured) rendering of a table layout. Markdown has no spanning headers, so with several
// backbone groups each column header names its group.
import type { LCell, TableLayout } from './layout.js';

export function escapeMarkdown(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`<>[\]])/g, '\\$1');
}

function cellText(c: LCell): string {
  const marks = c.marks.length ? `<sup>${c.marks.map(escapeMarkdown).join(',')}</sup>` : '';
  if (c.kind === 'text') {
    const t = escapeMarkdown(c.text);
    return `${c.rank === 1 ? `**${t}**` : c.rank === 2 ? `<ins>${t}</ins>` : t}${marks}`;
  }
  const v = c.std === null ? c.mean : `${c.mean} ± ${c.std}`;
  const shown = c.rank === 1 ? `**${v}**` : c.rank === 2 ? `<ins>${v}</ins>` : v;
  return `${shown} (n=${c.n})${marks}`;
}

export function renderMarkdown(t: TableLayout): string {
  const header: string[] = t.columns.slice(0, t.leading).map((c) => escapeMarkdown(c.label));
  let i = t.leading;
  for (const g of t.groups) {
    for (let k = 0; k < g.span; k++, i++) {
      const label = t.columns[i].label;
      header.push(escapeMarkdown(t.groups.length > 1 ? `${g.label}: ${label}` : label));
    }
  }
  const align = t.columns.map((c) => (c.align === 'l' ? ':--' : '--:'));
  const lines = [
    `### ${escapeMarkdown(t.title)}`,
    '',
    ...(t.groups.length === 1 ? [`Backbone: ${escapeMarkdown(t.groups[0].label)}`, ''] : []),
    `| ${header.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...t.rows.map((r) => {
      const label = r.kind === 'paper' ? `*${escapeMarkdown(r.label)}*` : escapeMarkdown(r.label);
      return `| ${[label, ...r.cells.map(cellText)].join(' | ')} |`;
    }),
    '',
    escapeMarkdown(t.caption),
  ];
  if (t.footnotes.length) lines.push('', ...t.footnotes.map((f) => `- <sup>${escapeMarkdown(f.mark)}</sup> ${escapeMarkdown(f.text)}`));
  return `${lines.join('\n')}\n`;
}
