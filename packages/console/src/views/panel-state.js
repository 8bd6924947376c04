/**
 * Marks a panel busy while it loads and ready (or failed) after, so people
 * using a screen reader hear it, and tests and the benchmark can wait for
 * `data-state="ready"` instead of guessing with timeouts. Each readiness is
 * also a performance mark (`auditflow:<panel>:ready`), so the page's own clock
 * says how long after the navigation a view was rendered.
 */
export async function loading(panel, work) {
  panel.dataset.state = 'loading';
  panel.setAttribute('aria-busy', 'true');
  try {
    await work();
    panel.dataset.state = 'ready';
    performance.mark(`auditflow:${panel.id}:ready`);
  } catch (error) {
    panel.dataset.state = 'error';
    throw error;
  } finally {
    panel.removeAttribute('aria-busy');
  }
}
