/**
 * What a job summary must be for GitHub to show it as written: Markdown whose HTML parses
 * without errors, with every element that is not void closed by its own end tag (HTML
 * forgives `<th><th>` and `<td></tr>`; a reader of the raw text and some renderers do not).
 */
import { marked } from 'marked';
import { parseFragment, type DefaultTreeAdapterTypes, type ParserError } from 'parse5';

/** Elements that have no end tag. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** The problems of one summary's Markdown text; empty when it is valid. */
export function summaryProblems(markdown: string): string[] {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return htmlProblems(html);
}

export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const onParseError = (e: ParserError) => problems.push(`${e.code} at line ${e.startLine}, column ${e.startCol}: ${JSON.stringify(html.slice(Math.max(0, e.startOffset - 30), e.startOffset + 30))}`);
  const fragment = parseFragment(html, { onParseError, sourceCodeLocationInfo: true });
  const walk = (node: DefaultTreeAdapterTypes.ParentNode) => {
    for (const child of node.childNodes) {
      if (!('tagName' in child)) continue;
      const loc = child.sourceCodeLocation;
      // An element the parser made up (tbody) has no location; one the text opened must be closed there.
      if (loc && !VOID.has(child.tagName) && !loc.endTag) {
        problems.push(`<${child.tagName}> at line ${loc.startLine}, column ${loc.startCol} is not closed: ${JSON.stringify(html.slice(loc.startOffset, loc.startOffset + 60))}`);
      }
      walk(child);
    }
  };
  walk(fragment);
  return problems;
}
