// What the discussion room view needs to know about the room it shows, whatever owns it (a
// group, a meeting): its title and way back, who may write and moderate there, the people one
// may mention, and whether the app keeps following it after the view closes (for the unread
// badges of one's own groups). The server has the last word on every action; this only shapes
// the page.
import { api, type Group, type Meeting, type User } from './api';
import type { MessageKey } from './i18n/index.svelte';
import { session } from './session.svelte';

export interface RoomPerson {
  user_id: string;
  name: string;
}

export interface RoomInfo {
  /** The name of what the room belongs to. */
  title: string;
  /** The link back to it and the key of its label. */
  backHref: string;
  backLabel: MessageKey;
  /** The key of the page title, with {group} for the title. */
  pageTitle: MessageKey;
  canPost: boolean;
  canModerate: boolean;
  /** Shown instead of the composer to someone who may not post. */
  readOnly: MessageKey;
  /** People of the room (for mentions and names in reactions). */
  people: RoomPerson[];
  /** Keep the room subscribed after the view closes. */
  keep: boolean;
}

/** groupRoomInfo: chairs and members post, chairs and the secretariat moderate, observers read. */
export function groupRoomInfo(g: Group, user: User | null): RoomInfo {
  const secretariat = user?.role === 'secretariat';
  return {
    title: g.name,
    backHref: `/groups/${encodeURIComponent(g.id)}`,
    backLabel: 'room.back',
    pageTitle: 'room.pageTitle',
    canPost: g.my_role === 'chair' || g.my_role === 'member' || secretariat,
    canModerate: g.my_role === 'chair' || secretariat,
    readOnly: g.my_role === 'observer' ? 'room.observer' : 'room.readOnly',
    people: g.members.map((m) => ({ user_id: m.user_id, name: m.name })),
    keep: !!g.my_role,
  };
}

/**
 * meetingRoomInfo: the meeting says who may post (participants and session chairs, not
 * observers); the secretariat and the meeting's chairs moderate; its participants and the
 * chairs of its sessions may be mentioned.
 */
export function meetingRoomInfo(m: Meeting, user: User | null): RoomInfo {
  const people = new Map<string, string>();
  for (const p of m.participants) people.set(p.user_id, p.name);
  for (const s of m.agenda?.sessions ?? []) for (const c of s.chairs) if (c.user_id) people.set(c.user_id, c.name);
  return {
    title: m.title,
    backHref: `/meetings/${encodeURIComponent(m.id)}`,
    backLabel: 'meetingRoom.back',
    pageTitle: 'meetingRoom.pageTitle',
    canPost: m.can.post,
    canModerate: user?.role === 'secretariat' || m.my_role === 'chair',
    readOnly: m.my_role === 'observer' ? 'meetingRoom.observer' : 'meetingRoom.readOnly',
    people: [...people].map(([user_id, name]) => ({ user_id, name })),
    keep: false,
  };
}

/** loadGroupRoom loads what the room of group id needs. */
export async function loadGroupRoom(id: string): Promise<RoomInfo> {
  return groupRoomInfo(await api.getGroup(id), session.user);
}

/** loadMeetingRoom loads what the room of meeting id needs. */
export async function loadMeetingRoom(id: string): Promise<RoomInfo> {
  return meetingRoomInfo(await api.getMeeting(id), session.user);
}
