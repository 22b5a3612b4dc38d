/** The key summaries: the list, or the key added, removed or replaced. */
import { shortId, type ChangePasswordResult, type KeyInfo } from '../../engine/index.ts';
import { keyCreatedText } from '../../report/key-list.ts';
import { code, join, SummaryDocument } from './document.ts';

export function keyListSummary(keys: readonly KeyInfo[], location: string): SummaryDocument {
  return new SummaryDocument()
    .heading(`chunkvault: ${keys.length} key(s) in ${location}`)
    .table(
      ['ID', 'User', 'Host', 'Created'],
      keys.map((k) => [join([code(shortId(k.id)), k.current ? ' (in use)' : '']), k.username, k.hostname, keyCreatedText(k.created)]),
    );
}

export function keyAddedSummary(id: string, location: string): SummaryDocument {
  return new SummaryDocument()
    .heading('chunkvault: key added')
    .paragraph(join(['New key ', code(shortId(id)), ` in ${location}: the new password opens the repository, and so do the old ones.`]));
}

export function passwordChangedSummary(r: ChangePasswordResult, location: string): SummaryDocument {
  return new SummaryDocument()
    .heading('chunkvault: password changed')
    .paragraph(
      join([
        'New key ',
        code(shortId(r.added)),
        ` in ${location}; the key `,
        code(shortId(r.removed)),
        ' of the old password was removed after the new one was saved and checked. Update the secret that holds the password: the old one no longer opens the repository.',
      ]),
    );
}

export function keyRemovedSummary(id: string, location: string): SummaryDocument {
  return new SummaryDocument()
    .heading('chunkvault: key removed')
    .paragraph(join(['Key ', code(shortId(id)), ` removed from ${location}: its password no longer opens the repository.`]));
}
