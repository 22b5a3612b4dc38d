/**
 * Which workflow run made a snapshot, from the runner's GITHUB_* variables: tags that
 * restic and our `tags` filter can select on (`commit:<sha>`, `ref:<ref>`), and a
 * description with the run's URL. Tags are how restic 0.14 can find the snapshot of a
 * commit (`restic snapshots --tag commit:<sha>`); it does not read descriptions.
 */
export interface Provenance {
  tags: string[];
  /** `GitHub Actions run <url> (workflow <name>, <ref> at <sha>)`; undefined outside a run. */
  description?: string;
}

export function runProvenance(env: NodeJS.ProcessEnv): Provenance {
  const tags: string[] = [];
  const sha = env.GITHUB_SHA;
  const ref = env.GITHUB_REF;
  if (sha) tags.push(`commit:${sha}`);
  // A comma would split the tag in every tag filter (restic's and ours): leave such a ref out.
  if (ref && !ref.includes(',')) tags.push(`ref:${ref}`);
  const url = runUrl(env);
  if (!url) return { tags };
  const about = [env.GITHUB_WORKFLOW && `workflow ${env.GITHUB_WORKFLOW}`, ref && sha ? `${ref} at ${sha}` : sha].filter(Boolean);
  return { tags, description: `GitHub Actions run ${url}${about.length ? ` (${about.join(', ')})` : ''}` };
}

/** The run's page, with the attempt when it is a re-run. */
function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (!server || !repo || !runId) return undefined;
  const base = `${server}/${repo}/actions/runs/${runId}`;
  return attempt && attempt !== '1' ? `${base}/attempts/${attempt}` : base;
}
