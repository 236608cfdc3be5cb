// A tiny static file server for the built page, so the tests need nothing but Node.
//
// Serves one directory at "/" and at every extra mount prefix given (to prove the page
// works from a subpath, as on a static host), with the MIME types browsers insist on
// (application/wasm for streaming compilation, text/javascript for modules).

import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts serving `root` on 127.0.0.1 at a free port.
 * @param {string} root directory to serve
 * @param {{ mounts?: string[] }} options extra URL prefixes (like "/a/b/") that also serve root
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function serveDirectory(root, { mounts = [] } = {}) {
  const prefixes = [...mounts, '/'].sort((a, b) => b.length - a.length);
  const server = http.createServer((request, response) => {
    respond(root, prefixes, request, response).catch((error) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function respond(root, prefixes, request, response) {
  const file = await resolveFile(root, prefixes, request.url ?? '/');
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
    return;
  }
  const type = MIME_TYPES[path.extname(file)] ?? 'application/octet-stream';
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(await readFile(file));
}

// The file a URL names, or null. Never anything outside root.
async function resolveFile(root, prefixes, url) {
  const pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
  const prefix = prefixes.find((p) => pathname.startsWith(p));
  if (!prefix) return null;
  let relative = pathname.slice(prefix.length);
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';
  const resolvedRoot = path.resolve(root);
  const file = path.resolve(resolvedRoot, relative);
  if (!file.startsWith(resolvedRoot + path.sep)) return null;
  try {
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}
