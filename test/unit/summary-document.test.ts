/** The summary builder: escaped text, closed cells, and Mermaid charts that stay readable. */
import { describe, expect, it } from 'vitest';
import { code, join, SummaryDocument } from '../../src/action/summary/document.ts';
import { htmlProblems } from '../helpers/summary-validity.ts';

describe('SummaryDocument', () => {
  it('escapes plain text, keeps markup built by its helpers, and writes empty cells closed', () => {
    const text = new SummaryDocument().table(['', 'Step'], [['<b>', join(['a ', code('x&y')])], ['only one']]).text();
    expect(text).toBe(
      '<table><thead><tr><th></th><th>Step</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td>a <code>x&amp;y</code></td></tr>' +
        '<tr><td>only one</td><td></td></tr></tbody></table>\n',
    );
    expect(htmlProblems(text)).toEqual([]);
  });

  it('labels up to 10 points and numbers more, naming the first and last in the axis title', () => {
    const chart = (n: number) =>
      new SummaryDocument()
        .chart({ title: 'A "quoted" title', labels: Array.from({ length: n }, (_, i) => `01-${String(i + 1).padStart(2, '0')}`), points: 'backups', yAxis: 'MiB', series: [{ kind: 'bar', values: Array(n).fill(1.5) }] })
        .text();
    expect(chart(3)).toContain('x-axis ["01-01", "01-02", "01-03"]');
    expect(chart(12)).toContain('x-axis "12 backups, 01-01 to 01-12" 1 --> 12');
    expect(chart(3)).toContain('title "A  quoted  title"');
    expect(chart(3)).toContain('y-axis "MiB" 0 --> 2');
    expect(chart(1)).toBe('\n');
  });
});
