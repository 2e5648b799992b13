/**
 * The console page: an HTML shell that loads the compiled script and styles from `/assets/`
 * (same origin, so the CSP allows only 'self' and no inline code). Everything it shows comes from
 * the public API, drawn by the script as text nodes. The token lives only in the tab's
 * sessionStorage and is sent only as a bearer header.
 */
import type { UiAsset } from './ui-compile';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function consolePage(version: string, assets: readonly UiAsset[]): string {
  const src = (kind: UiAsset['kind']) => `/assets/${escapeHtml(assets.find((a) => a.kind === kind)?.name ?? '')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="fleet-version" content="${escapeHtml(version)}">
<title>alicloud-fleet console</title>
<link rel="icon" type="image/svg+xml" href="${src('icon')}">
<link rel="stylesheet" href="${src('style')}">
<script src="${src('script')}" defer></script>
</head>
<body>
<noscript><p>The alicloud-fleet console needs JavaScript. The HTTP API (docs/API.md) works without it.</p></noscript>
<div id="app" aria-live="polite"></div>
</body>
</html>
`;
}
