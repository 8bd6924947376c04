/**
 * The WAI-ARIA tabs pattern: one tab in the tab order at a time (roving
 * tabindex); Left/Right move between tabs and wrap, Home/End go to the first
 * and last, each activating the tab it lands on; Tab moves into the panel.
 * @param {HTMLElement} tablist
 * @param {(panelId: string) => void} onActivate
 */
export function setUpTabs(tablist, onActivate) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];

  function activate(tab, { focus = true, notify = true } = {}) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(other.getAttribute('aria-controls'));
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    if (notify) onActivate(tab.getAttribute('aria-controls'));
  }

  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) activate(tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const next = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    activate(next);
  });

  return {
    /** Shows the panel with this id without moving focus or telling onActivate (the caller knows). */
    show(panelId) {
      const tab = tabs.find((t) => t.getAttribute('aria-controls') === panelId);
      if (tab) activate(tab, { focus: false, notify: false });
    },
  };
}
