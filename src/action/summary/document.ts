/**
 * The job summary as one Markdown document: HTML blocks (headings, paragraphs, tables,
 * lists) whose every element is closed and whose every text is escaped, and Mermaid
 * charts as ```mermaid blocks, which GitHub draws. Built as a string, so that a test can
 * parse what a mode writes; core.summary's addTable left `<th>` open for an empty cell.
 */

/** Markup already escaped; any plain string given to the document is escaped. */
export class Html {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
}

export type Content = string | Html;

/** A row of a two-column figures table: what, and its figure. */
export type FigureRow = readonly [Content, Content];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Escaped text, or the markup as it is; newlines become spaces (a blank line would end the HTML block). */
function markup(c: Content): string {
  return (c instanceof Html ? c.html : escapeHtml(c)).replace(/\n+/g, ' ');
}

export function code(s: string): Html {
  return new Html(`<code>${escapeHtml(s)}</code>`);
}

export function bold(s: string): Html {
  return new Html(`<b>${escapeHtml(s)}</b>`);
}

/** Pieces, escaped where plain, joined into one piece of markup. */
export function join(parts: readonly Content[], separator: Content = ''): Html {
  return new Html(parts.map(markup).join(markup(separator)));
}

/** One per line in a cell. */
export function lines(parts: readonly Content[]): Html {
  return join(parts, new Html('<br>'));
}

export interface ChartSeries {
  kind: 'bar' | 'line';
  values: readonly number[];
}

export interface Chart {
  title: string;
  /** One label per point, oldest first. */
  labels: readonly string[];
  /** What a point is, plural ("backups"): the numbered axis's title says how many. */
  points: string;
  yAxis: string;
  series: readonly ChartSeries[];
}

/** Mermaid's quoted strings end at a quote, and a label is one line. */
function mermaidText(s: string): string {
  return `"${s.replace(/["\n\r]/g, ' ').replace(/[[\]]/g, '')}"`;
}

/** Series and slice colours in order: a blue for the first (bars; kept, in use), an orange for the second (a line over them; removed, freed), a grey. */
const CHART_COLOURS = '#4f81bd, #e36c0a, #a5a5a5';

/** Above this many points, labels overlap: the axis is numbered and its title gives the first and last label. */
const MAX_LABELLED_POINTS = 10;

function xAxis(labels: readonly string[], points: string): string {
  if (labels.length <= MAX_LABELLED_POINTS) return `  x-axis [${labels.map(mermaidText).join(', ')}]`;
  return `  x-axis ${mermaidText(`${labels.length} ${points}, ${labels[0]} to ${labels[labels.length - 1]}`)} 1 --> ${labels.length}`;
}

/** A round top for an axis a little above `max`: 1, 1.2, 1.5 ... 8 times a power of ten. */
function axisTop(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= max * 1.05) return Number((m * step).toPrecision(3));
  return Number((10 * step).toPrecision(3));
}

export class SummaryDocument {
  readonly #blocks: string[] = [];

  heading(text: Content, level: 2 | 3 = 2): this {
    return this.#block(`<h${level}>${markup(text)}</h${level}>`);
  }

  paragraph(text: Content): this {
    return this.#block(`<p>${markup(text)}</p>`);
  }

  /** A table; rows shorter than the header get empty cells, written as <td></td>. */
  table(header: readonly Content[], rows: readonly (readonly Content[])[]): this {
    if (rows.length === 0) return this;
    const cells = (row: readonly Content[], tag: 'th' | 'td') => header.map((_, i) => `<${tag}>${markup(row[i] ?? '')}</${tag}>`).join('');
    const body = rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('');
    return this.#block(`<table><thead><tr>${cells(header, 'th')}</tr></thead><tbody>${body}</tbody></table>`);
  }

  /** Two columns: what, and its figure. */
  figures(rows: readonly FigureRow[]): this {
    return this.table(['What', 'Figure'], rows);
  }

  list(items: readonly Content[]): this {
    if (items.length === 0) return this;
    return this.#block(`<ul>${items.map((i) => `<li>${markup(i)}</li>`).join('')}</ul>`);
  }

  /** Preformatted lines (a command's last error lines). */
  preformatted(text: string): this {
    return this.#block(`<pre><code>${escapeHtml(text)}</code></pre>`);
  }

  /**
   * An xychart from 0 up; nothing when there are fewer than two points, where a chart says
   * no more than the table. Mermaid's default palette draws a lone line in a pale lilac
   * that barely shows: the colours are set.
   */
  chart(c: Chart): this {
    if (c.labels.length < 2) return this;
    const max = Math.max(0, ...c.series.flatMap((s) => s.values.filter(Number.isFinite)));
    const lines = [
      `%%{init: {"xyChart": {"width": 900, "height": 360}, "themeVariables": {"xyChart": {"plotColorPalette": "${CHART_COLOURS}"}}}}%%`,
      'xychart-beta',
      `  title ${mermaidText(c.title)}`,
      xAxis(c.labels, c.points),
      `  y-axis ${mermaidText(c.yAxis)} 0 --> ${axisTop(max)}`,
      ...c.series.map((s) => `  ${s.kind} [${s.values.map((v) => (Number.isFinite(v) ? String(v) : '0')).join(', ')}]`),
    ];
    this.#blocks.push(['```mermaid', ...lines, '```'].join('\n'));
    return this;
  }

  /** A pie of the positive slices; nothing when fewer than two are positive. */
  pie(title: string, slices: readonly { label: string; value: number }[]): this {
    const shown = slices.filter((s) => s.value > 0 && Number.isFinite(s.value));
    if (shown.length < 2) return this;
    // Mermaid's default pie colours are pastels that hardly tell slices apart.
    const colours = CHART_COLOURS.split(', ').map((c, i) => `"pie${i + 1}": "${c}"`).join(', ');
    const body = [`%%{init: {"themeVariables": {${colours}}}}%%`, 'pie showData', `  title ${title.replace(/[\n\r]/g, ' ')}`, ...shown.map((s) => `  ${mermaidText(s.label)} : ${s.value}`)];
    this.#blocks.push(['```mermaid', ...body, '```'].join('\n'));
    return this;
  }

  #block(html: string): this {
    this.#blocks.push(html);
    return this;
  }

  /** The Markdown text: blocks separated by blank lines. */
  text(): string {
    return this.#blocks.join('\n\n') + '\n';
  }
}
