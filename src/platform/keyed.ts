/**
 * In-place updates for views that poll: a row is made once per key and afterwards only its
 * changed text and attributes are written, so focus, selection, scroll and hover survive
 * every refresh (rebuilding the DOM loses all of them).
 */

/** A view of one item: its node in the list and whatever the view keeps to update it. */
export interface IKeyedView {
  readonly node: ChildNode;
}

export interface IKeyedListOptions<T, V extends IKeyedView> {
  /** What names an item across refreshes (an id, a path); the first of equal keys wins. */
  key: (item: T) => string;
  create: (item: T) => V;
  /** Write what changed; called after `create` too. */
  update: (view: V, item: T) => void;
}

/** The children of `parent` (a node this list owns alone), one per item, in the items' order. */
export class KeyedList<T, V extends IKeyedView> {
  constructor(
    readonly parent: ParentNode & Node,
    private readonly _options: IKeyedListOptions<T, V>
  ) {}

  get size(): number {
    return this._views.size;
  }

  get(key: string): V | undefined {
    return this._views.get(key);
  }

  update(items: readonly T[]): void {
    const views = new Map<string, V>();
    for (const item of items) {
      const key = this._options.key(item);
      if (views.has(key)) {
        continue;
      }
      const view = this._views.get(key) ?? this._options.create(item);
      this._options.update(view, item);
      views.set(key, view);
    }
    for (const [key, view] of this._views) {
      if (!views.has(key)) {
        view.node.remove();
      }
    }
    this._views = views;
    // Move only the nodes out of place: a node that stays keeps its focus and state.
    let index = 0;
    for (const view of views.values()) {
      const here = this.parent.childNodes[index] ?? null;
      if (here !== view.node) {
        this.parent.insertBefore(view.node, here);
      }
      index++;
    }
  }

  private _views = new Map<string, V>();
}

/** Set the text of `node` unless it already says that (a write would reset a selection in it). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** Set or (null) remove an attribute, writing only a change. */
export function setAttr(node: Element, name: string, value: string | null): void {
  if (value === null) {
    if (node.hasAttribute(name)) {
      node.removeAttribute(name);
    }
  } else if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/** Make `nodes` the children of `parent`, touching it only when they differ (parts that come and go). */
export function setChildren(parent: ParentNode & Node, nodes: readonly Node[]): void {
  const current = parent.childNodes;
  if (current.length !== nodes.length || nodes.some((node, index) => current[index] !== node)) {
    parent.replaceChildren(...nodes);
  }
}
