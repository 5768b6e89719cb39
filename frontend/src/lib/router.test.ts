import { describe, expect, it } from 'vitest';
import { match } from './router.svelte';

describe('match', () => {
  it.each([
    ['/', { name: 'home' }],
    ['/login', { name: 'login' }],
    ['/invite', { name: 'invite' }],
    ['/admin/', { name: 'admin' }],
    ['/groups/g%201', { name: 'group', id: 'g 1' }],
    ['/groups/a/b', { name: 'notFound' }],
    ['/groups/g1/room', { name: 'room', id: 'g1' }],
    ['/groups/g1/room/', { name: 'room', id: 'g1' }],
    ['/groups/g1/room/x', { name: 'notFound' }],
    ['/nowhere', { name: 'notFound' }],
  ])('%s', (path, want) => {
    expect(match(path)).toEqual(want);
  });
});
