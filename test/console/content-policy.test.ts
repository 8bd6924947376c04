import { describe, expect, it } from 'vitest';
import { ready, useConsole } from './support';

const app = useConsole();

describe("the console's content security policy", () => {
  it('runs its own inline script, and no script or inline handler that markup slipped into the page', async () => {
    const page = await app.open('policy');
    await ready(page, 'outbox');
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (directive: string) => violations.push(directive));
    // Run in the page (a string: this file is compiled without the DOM's types).
    const ran = await page.evaluate(`(async () => {
      document.addEventListener('securitypolicyviolation', (event) =>
        window.reportViolation(event.effectiveDirective));
      const injected = document.createElement('script');
      injected.textContent = 'window.injectedRan = true';
      document.body.append(injected);
      const handler = document.createElement('img');
      handler.setAttribute('src', 'data:,');
      handler.setAttribute('onerror', 'window.handlerRan = true');
      document.body.append(handler);
      const remote = document.createElement('script');
      remote.src = 'https://scripts.example.com/x.js';
      document.body.append(remote);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { injected: window.injectedRan === true, handler: window.handlerRan === true };
    })()`);
    expect(ran).toEqual({ injected: false, handler: false });
    expect(violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
  });

  it('refuses to be framed by another page, with the headers a meta policy cannot carry', async () => {
    const response = await fetch(app.stack().consoleUrl);
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    const page = await app.open('framing');
    await ready(page, 'outbox');
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(message.text()))
        blocked.push(message.text());
    });
    // A page of another origin (the same server by another name) tries to frame the console.
    const other = new URL('nothing-here', app.stack().consoleUrl.replace('127.0.0.1', 'localhost'));
    await page.goto(other.href);
    await page.setContent(`<iframe id="framed" src="${app.stack().consoleUrl}"></iframe>`);
    await page.waitForTimeout(500);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    const shown = await framed
      ?.evaluate('document.getElementById("outbox") !== null')
      .catch(() => false);
    expect(framed).toBeDefined();
    expect(shown).toBe(false);
  });
});
