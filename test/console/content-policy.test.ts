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
});
