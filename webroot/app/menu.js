// A popup menu of buttons (role "menu"), opened from a button (the "Message actions" button of a
// message, a member's actions): one at a time, placed under its button, closed by Escape (focus goes
// back to the button), a click elsewhere, Tab or choosing an item. Arrow keys move between the items.

import { el } from './render.js';

let open = null; // {menu, anchor}

export function closeMenu(refocus = false) {
  if (!open) return;
  const { menu, anchor } = open;
  open = null;
  menu.remove();
  anchor.setAttribute('aria-expanded', 'false');
  if (refocus && anchor.isConnected) anchor.focus();
}

/**
 * Opens a menu under `anchor` with `items` [{label, ariaLabel?, action, keepOpen?}] (an empty list
 * opens nothing). A second click on the same button closes it.
 */
export function openMenu(anchor, label, items) {
  const again = open && open.anchor === anchor;
  closeMenu();
  if (again || items.length === 0) return;
  const menu = el('div', { class: 'menu', role: 'menu', 'aria-label': label });
  const buttons = items.map((item) => {
    const b = el('button', { type: 'button', role: 'menuitem', 'aria-label': item.ariaLabel || null, text: item.label });
    b.addEventListener('click', () => {
      closeMenu(!item.keepOpen);
      item.action(anchor);
    });
    return b;
  });
  menu.append(...buttons);
  menu.addEventListener('keydown', (event) => {
    const i = buttons.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      closeMenu(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowRight') {
      event.preventDefault();
      buttons[(i + 1) % buttons.length].focus();
    } else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') {
      event.preventDefault();
      buttons[(i - 1 + buttons.length) % buttons.length].focus();
    } else if (event.key === 'Tab') {
      closeMenu(true);
    }
  });
  document.body.append(menu);
  const box = anchor.getBoundingClientRect();
  const width = menu.offsetWidth;
  menu.style.top = Math.min(window.innerHeight - menu.offsetHeight - 4, box.bottom + 2) + 'px';
  menu.style.left = Math.max(4, Math.min(window.innerWidth - width - 4, box.right - width)) + 'px';
  anchor.setAttribute('aria-expanded', 'true');
  open = { menu, anchor };
  buttons[0].focus();
}

document.addEventListener('pointerdown', (event) => {
  if (open && !open.menu.contains(event.target) && !open.anchor.contains(event.target)) closeMenu();
});
window.addEventListener('resize', () => closeMenu());
