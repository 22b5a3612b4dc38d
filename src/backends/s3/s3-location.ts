/**
 * The S3 part of a repository location, in restic's syntax (what follows `s3:`):
 * `https://host[:port]/bucket[/prefix]`, `http://host[:port]/bucket[/prefix]`, or
 * `host/bucket[/prefix]` with https implied (`s3.amazonaws.com/bucket`).
 */
import { posix } from 'node:path';
import { ChunkvaultError, ErrorCode } from '../../engine/index.ts';

export interface S3Location {
  /** `https:` or `http:` */
  readonly protocol: 'https:' | 'http:';
  /** Host name or IP, with `:port` when one was given. */
  readonly host: string;
  readonly bucket: string;
  /** Key prefix under which the repository lives, without leading or trailing '/'; '' for the bucket's root. */
  readonly prefix: string;
  /** The host is Amazon's (`*.amazonaws.com`, `*.amazonaws.com.cn`). */
  readonly isAws: boolean;
  /** The region a regional AWS host names (`s3.eu-west-1.amazonaws.com`), if any. */
  readonly regionFromHost: string | undefined;
}

const AWS_HOST = /(^|\.)amazonaws\.com(\.cn)?$/;
// s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com, s3.dualstack.eu-west-1.amazonaws.com
const AWS_REGIONAL_HOST = /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

export function parseS3Location(rest: string): S3Location {
  const text = rest.trim();
  let protocol: 'https:' | 'http:' = 'https:';
  let host: string;
  let path: string;
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalid(`'s3:${stripUserInfo(text)}' is not a valid URL`);
    }
    if (url.username || url.password) {
      throw invalid(
        `s3:${stripUserInfo(text)}: credentials do not belong in the S3 URL; ` +
          'use aws-access-key-id and aws-secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
    }
    protocol = url.protocol === 'http:' ? 'http:' : 'https:';
    host = url.host;
    path = decodeURIComponent(url.pathname);
  } else {
    // restic also accepts `s3://host/bucket`.
    const bare = text.replace(/^\/\//, '');
    const slash = bare.indexOf('/');
    host = slash < 0 ? bare : bare.slice(0, slash);
    path = slash < 0 ? '' : bare.slice(slash);
  }
  const [bucket = '', ...rest2] = path.replace(/^\/+/, '').split('/');
  if (host === '') throw invalid(`s3:${text}: no host; use s3:https://host[:port]/bucket[/prefix] or s3:s3.amazonaws.com/bucket`);
  if (bucket === '') throw invalid(`s3:${stripUserInfo(text)}: no bucket name; use s3:https://host[:port]/bucket[/prefix]`);
  const joined = rest2.join('/');
  const prefix = joined === '' ? '' : posix.normalize(joined).replace(/^\/+|\/+$/g, '').replace(/^\.$/, '');
  if (prefix.split('/').includes('..')) throw invalid(`s3:${stripUserInfo(text)}: the prefix must not contain '..'`);
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  return {
    protocol,
    host,
    bucket,
    prefix,
    isAws: AWS_HOST.test(hostname),
    regionFromHost: AWS_REGIONAL_HOST.exec(hostname)?.[1],
  };
}

/** How the location reads in logs and errors: restic's form, never with credentials. */
export function describeS3Location(loc: S3Location): string {
  return `s3:${loc.protocol}//${loc.host}/${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
}

function stripUserInfo(text: string): string {
  return text.replace(/^(https?:\/\/)[^@/]*@/i, '$1');
}

function invalid(message: string): ChunkvaultError {
  return new ChunkvaultError(ErrorCode.InvalidInput, message);
}
