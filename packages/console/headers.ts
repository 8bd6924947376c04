/**
 * Response headers the console is served with, locally and by the deployed
 * site's CDN. The page's own policy is a meta tag (its hashes are known only
 * once it is built), and a meta policy cannot say who may frame the page:
 * that, and the rest here, must come as headers. No site may frame it (a
 * framed console could be clicked through by a page on top), the browser
 * must not guess types, and no address of it leaks to another site.
 */
export const CONSOLE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The same headers set in a CloudFront viewer-response function (SST's `edge.viewerResponse`). */
export function viewerResponseInjection(): string {
  return Object.entries(CONSOLE_RESPONSE_HEADERS)
    .map(
      ([name, value]) =>
        `event.response.headers[${JSON.stringify(name)}] = { value: ${JSON.stringify(value)} };`,
    )
    .join('\n');
}
