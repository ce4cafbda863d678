import { describe, expect, it } from 'vitest';
import { forkInto, parseBranches, runStateOf, type Branch } from './branches.ts';

const branch = (id: string, status: Branch['status'], node: string | null, error: string | null = null): Branch => ({ id, startNodeId: `start_${id}`, status, node, vars: {}, loop: null, error });

describe("a forked run's status, from its branches", () => {
  it('is running while any branch moves, waiting while every open branch waits', () => {
    expect(runStateOf([branch('1', 'waiting', 'notify'), branch('2', 'running', 'lookup')])).toMatchObject({ status: 'running', currentNode: 'lookup', finished: false });
    expect(runStateOf([branch('1', 'waiting', 'notify'), branch('2', 'succeeded', null)])).toMatchObject({ status: 'waiting', currentNode: 'notify', finished: false });
  });

  it('does not end while a branch is open, even after another failed', () => {
    expect(runStateOf([branch('1', 'failed', 'notify', 'notify: down'), branch('2', 'waiting', 'delay')])).toMatchObject({ status: 'waiting', error: null, finished: false });
  });

  it('once every branch has ended: failed naming each failed branch, else succeeded', () => {
    const ended = [branch('1', 'failed', 'notify', 'notify: down'), branch('2', 'forked', 'split'), branch('2.1', 'succeeded', null), branch('2.2', 'failed', 'pause', 'pause: 500')];
    expect(runStateOf(ended)).toEqual({ status: 'failed', currentNode: 'notify', error: 'branch 1: notify: down; branch 2.2: pause: 500', finished: true });
    expect(runStateOf([branch('1', 'succeeded', null), branch('2', 'forked', 'x'), branch('2.1', 'succeeded', null)])).toEqual({ status: 'succeeded', currentNode: null, error: null, finished: true });
  });

  it('numbers a fork inside a branch after it, and reads stored branches back', () => {
    expect(forkInto('2', ['a', 'b'], { x: 1 }).map((b) => [b.id, b.node, b.status])).toEqual([
      ['2.1', 'a', 'running'],
      ['2.2', 'b', 'running'],
    ]);
    expect(parseBranches(null)).toBeNull();
    expect(parseBranches(JSON.parse(JSON.stringify(forkInto(null, ['a'], {}))))).toEqual(forkInto(null, ['a'], {}));
  });
});
