import { test } from 'node:test';
import assert from 'node:assert/strict';

import { KeyedList, setAttr, setChildren, setText } from '../platform/keyed';

/** Just enough of a DOM for KeyedList, counting the writes it makes. */
class FakeNode {
  constructor(readonly name: string) {}
  parent: FakeParent | null = null;
  textContent = '';
  attributes = new Map<string, string>();
  remove(): void {
    if (this.parent) {
      const siblings = this.parent.childNodes;
      siblings.splice(siblings.indexOf(this), 1);
      this.parent.writes++;
      this.parent = null;
    }
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
}

class FakeParent {
  childNodes: FakeNode[] = [];
  writes = 0;
  replaceChildren(...nodes: FakeNode[]): void {
    this.childNodes = [...nodes];
    this.writes++;
  }
  insertBefore(node: FakeNode, before: FakeNode | null): void {
    node.remove();
    this.writes--; // a move counts once
    const index = before ? this.childNodes.indexOf(before) : this.childNodes.length;
    this.childNodes.splice(index, 0, node);
    node.parent = this;
    this.writes++;
  }
}

interface IRow {
  id: string;
  text: string;
}

function list(parent: FakeParent): { rows: KeyedList<IRow, { node: ChildNode }>; created: string[] } {
  const created: string[] = [];
  const rows = new KeyedList<IRow, { node: ChildNode }>(parent as unknown as HTMLElement, {
    key: row => row.id,
    create: row => {
      created.push(row.id);
      return { node: new FakeNode(row.id) as unknown as ChildNode };
    },
    update: (view, row) => setText(view.node, row.text)
  });
  return { rows, created };
}

const names = (parent: FakeParent): string[] => parent.childNodes.map(node => node.name);

test('KeyedList keeps the node of each key and writes only what changed', () => {
  const parent = new FakeParent();
  const { rows, created } = list(parent);
  rows.update([
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' }
  ]);
  assert.deepEqual(names(parent), ['a', 'b']);
  const [a, b] = parent.childNodes;
  parent.writes = 0;

  rows.update([
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B2' }
  ]);
  assert.equal(parent.writes, 0, 'no node moved');
  assert.deepEqual(created, ['a', 'b'], 'no node made again');
  assert.equal(parent.childNodes[0], a);
  assert.equal(parent.childNodes[1], b);
  assert.equal(b.textContent, 'B2');
  assert.equal(rows.size, 2);
});

test('KeyedList adds, removes and reorders by key', () => {
  const parent = new FakeParent();
  const { rows, created } = list(parent);
  rows.update(['a', 'b', 'c'].map(id => ({ id, text: id })));
  const c = parent.childNodes[2];
  rows.update(['c', 'a', 'd'].map(id => ({ id, text: id })));
  assert.deepEqual(names(parent), ['c', 'a', 'd']);
  assert.equal(parent.childNodes[0], c, 'the same node, moved');
  assert.deepEqual(created, ['a', 'b', 'c', 'd']);
  assert.equal(rows.get('b'), undefined);
  rows.update([]);
  assert.deepEqual(names(parent), []);
});

test('KeyedList shows the first of equal keys once', () => {
  const parent = new FakeParent();
  const { rows } = list(parent);
  rows.update([
    { id: 'a', text: 'first' },
    { id: 'a', text: 'second' }
  ]);
  assert.deepEqual(names(parent), ['a']);
  assert.equal(parent.childNodes[0].textContent, 'first');
});

test('setText and setAttr leave an unchanged node alone', () => {
  const node = new FakeNode('n');
  let writes = 0;
  const counted = new Proxy(node, {
    set(target, key, value) {
      writes++;
      return Reflect.set(target, key, value);
    }
  });
  setText(counted as unknown as Node, 'x');
  setText(counted as unknown as Node, 'x');
  assert.equal(writes, 1);
  setAttr(node as unknown as Element, 'title', 't');
  assert.equal(node.getAttribute('title'), 't');
  setAttr(node as unknown as Element, 'title', null);
  assert.equal(node.hasAttribute('title'), false);
});

test('setChildren replaces the children only when they differ', () => {
  const parent = new FakeParent();
  const [a, b] = [new FakeNode('a'), new FakeNode('b')];
  const set = (...nodes: FakeNode[]): void => setChildren(parent as unknown as HTMLElement, nodes as unknown as Node[]);
  set(a, b);
  set(a, b);
  assert.equal(parent.writes, 1);
  set(b);
  assert.deepEqual(names(parent), ['b']);
  assert.equal(parent.writes, 2);
});
