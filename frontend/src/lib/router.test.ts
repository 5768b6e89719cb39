import { describe, expect, it } from 'vitest';
import { match, PUBLIC_ROUTES } from './router.svelte';

describe('match', () => {
  it.each([
    ['/', { name: 'home' }],
    ['/login', { name: 'login' }],
    ['/invite', { name: 'invite' }],
    ['/admin/', { name: 'admin' }],
    ['/groups/g%201', { name: 'group', id: 'g 1' }],
    ['/groups/a/b', { name: 'notFound' }],
    ['/groups/g1/room', { name: 'room', id: 'g1' }],
    ['/reports/r1', { name: 'report', id: 'r1' }],
    ['/reports/r%201/', { name: 'report', id: 'r 1' }],
    ['/reports/r1/x', { name: 'notFound' }],
    ['/groups/g1/room/', { name: 'room', id: 'g1' }],
    ['/groups/g1/room/x', { name: 'notFound' }],
    ['/nowhere', { name: 'notFound' }],
    ['/meetings', { name: 'meetings' }],
    ['/meetings/', { name: 'meetings' }],
    ['/meetings/m%201', { name: 'meeting', id: 'm 1' }],
    ['/meetings/m1/', { name: 'meeting', id: 'm1' }],
    ['/meetings/m1/versions', { name: 'meetingVersions', id: 'm1' }],
    ['/meetings/m1/live', { name: 'meetingLive', id: 'm1' }],
    ['/meetings/m1/print', { name: 'meetingPrint', id: 'm1' }],
    ['/meetings/m1/room', { name: 'meetingRoom', id: 'm1' }],
    ['/meetings/m1/room/x', { name: 'notFound' }],
    ['/meetings/m1/other', { name: 'notFound' }],
    ['/meetings/m1/constructor', { name: 'notFound' }],
    ['/meetings/%E0%A4%A', { name: 'notFound' }],
    ['/documents/queue', { name: 'documentsQueue' }],
    ['/documents/mine/', { name: 'documentsMine' }],
    ['/documents/d%201', { name: 'document', id: 'd 1' }],
    ['/documents/d1/x', { name: 'notFound' }],
    ['/documents', { name: 'notFound' }],
  ])('%s', (path, want) => {
    expect(match(path)).toEqual(want);
  });
});

describe('PUBLIC_ROUTES', () => {
  it('lets signed-out visitors read meetings but not their discussion room', () => {
    for (const name of ['meetings', 'meeting', 'meetingVersions', 'meetingLive', 'meetingPrint', 'login', 'invite'] as const) {
      expect(PUBLIC_ROUTES.has(name)).toBe(true);
    }
    for (const name of ['meetingRoom', 'home', 'group', 'room', 'admin', 'documentsQueue', 'documentsMine'] as const) expect(PUBLIC_ROUTES.has(name)).toBe(false);
  });
});
