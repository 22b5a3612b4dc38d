// Fails fast when npm scripts run on a Node older than 24 (whose zlib lacks zstd): the
// `node` devDependency should put Node 24 first on PATH for every npm script.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`Node ${process.versions.node} is running; chunkvault needs Node 24. Run 'npm ci' to install the pinned Node.`);
  process.exit(1);
}
