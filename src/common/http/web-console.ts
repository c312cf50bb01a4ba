import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import express from 'express';

/**
 * Path prefixes Gatehouse's API owns; every other path belongs to the web console (SPEC "Web console":
 * the API stays under /v1, /oauth, /sandbox and /docs; /dev, /health and /admin are the server's too).
 */
export const API_PREFIXES = ['/v1', '/oauth', '/sandbox', '/docs', '/dev', '/health', '/admin'] as const;

/** Whether a request path (query string allowed) is the console's rather than the API's. */
export function isConsolePath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!;
  return !API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}-`));
}

const NONCE_PLACEHOLDER = '__CSP_NONCE__';

/**
 * The console's Content-Security-Policy for one page load. Scripts, fonts, images and API calls come
 * from this origin only. Mantine writes its CSS variables in a <style> element, allowed by this load's
 * nonce and nothing else; its components set `style` attributes (CSS variables per element), which a
 * nonce cannot cover, hence `style-src-attr 'unsafe-inline'` — attributes cannot load anything or
 * select elements, so they cannot exfiltrate. Documents open inline (images, PDFs) as blob: URLs.
 */
export function consoleContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    `style-src-elem 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Where the console's build (console/dist) is, or undefined when it was not built. */
export function consoleBuildDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('gatehouse-console/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

type Next = (err?: unknown) => void;

/**
 * Serves the web console from `dir` for every console path (isConsolePath): its hashed assets with a
 * year's immutable caching, any other GET that asks for HTML with index.html (the single-page app
 * routes itself) under a fresh CSP nonce and no caching. Anything else falls through to the API, so
 * unknown API paths keep their problem+json 404. With no build, console paths answer a short page
 * saying how to build it.
 */
export function webConsole(dir: string | undefined) {
  const assets = dir
    ? express.static(dir, { index: false, fallthrough: true, immutable: true, maxAge: '365d' })
    : undefined;
  const template = dir ? readFileSync(join(dir, 'index.html'), 'utf8') : undefined;

  return function webConsoleMiddleware(req: IncomingMessage, res: ServerResponse, next: Next) {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isConsolePath(req.url)) return next();
    const sendPage = () => {
      if (!String(req.headers.accept ?? '').includes('text/html')) return next();
      const nonce = randomBytes(16).toString('base64');
      res.setHeader('Content-Security-Policy', consoleContentSecurityPolicy(nonce));
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.statusCode = template ? 200 : 503;
      res.end(
        template
          ? template.replaceAll(NONCE_PLACEHOLDER, nonce)
          : '<!doctype html><title>Gatehouse</title><p>The web console is not built. Run <code>npm run build</code>.</p>',
      );
    };
    if (!assets) return sendPage();
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/' || path === '/index.html') return sendPage();
    assets(req as express.Request, res as express.Response, (err?: unknown) => (err ? next(err) : sendPage()));
  };
}
