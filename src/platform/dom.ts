/** DOM pieces every feature builds its panels from. */
import { LabIcon, ToolbarButton, ToolbarButtonComponent } from '@jupyterlab/ui-components';

/** An element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A form row: its label (class `<prefix>-label`) then its controls, in a <label> (class `<prefix>-field`). */
export function field(prefix: string, label: string, ...content: HTMLElement[]): HTMLLabelElement {
  const row = el('label', `${prefix}-field`);
  row.append(el('span', `${prefix}-label`, label), ...content);
  return row;
}

/** A small icon button with a tooltip; `action` names it for tests and styles. */
export function iconButton(icon: LabIcon, title: string, action: string, onClick: () => void): HTMLButtonElement {
  const button = el('button', 'jp-Button jp-mod-minimal jp-JobAction');
  button.type = 'button';
  button.title = title;
  button.setAttribute('aria-label', title);
  button.dataset.action = action;
  button.append(icon.element({ tag: 'span', className: 'jp-JobAction-icon' }));
  button.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return button;
}

/**
 * A toolbar button for a one-off action. JupyterLab's ToolbarButton toggles its
 * "pressed" state on every click, which suits switches, not actions: undo that.
 */
export function actionToolbarButton(props: ToolbarButtonComponent.IProps & { onClick: () => void }): ToolbarButton {
  const button: ToolbarButton = new ToolbarButton({
    ...props,
    onClick: () => {
      button.pressed = false;
      props.onClick();
    }
  });
  return button;
}

/**
 * Scroll `target` to the top of its scroller, and again whenever `container` redraws in the next
 * `settleMs`: content above it that arrives late (sections loading as their panel opens) would
 * push it out of view. Scrolling or a key press of the user's own ends it.
 */
export function keepInView(target: Element, container: HTMLElement, settleMs = 3000): void {
  const reveal = (): void => target.scrollIntoView({ block: 'start' });
  reveal();
  const redraws = new MutationObserver(reveal);
  const stop = (): void => redraws.disconnect();
  redraws.observe(container, { childList: true, subtree: true, characterData: true });
  for (const event of ['wheel', 'touchmove', 'keydown', 'pointerdown']) {
    container.addEventListener(event, stop, { once: true, passive: true });
  }
  setTimeout(stop, settleMs);
}
