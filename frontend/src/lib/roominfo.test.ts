import { describe, expect, it } from 'vitest';
import type { Group, Meeting, User } from './api';
import { groupRoomInfo, meetingRoomInfo } from './roominfo';

const user = (role: User['role'] = 'user'): User => ({ id: 'u1', email: 'a@example.org', name: 'Ana', role });

function group(my_role: Group['my_role']): Group {
  return {
    id: 'g 1',
    name: 'Media Literacy',
    focus_area: 'f',
    focus_area_name: 'F',
    description: '',
    visibility: 'public',
    member_count: 2,
    my_role,
    can_manage: false,
    members: [
      { user_id: 'u1', name: 'Ana', email: '', role: my_role || 'member' },
      { user_id: 'u2', name: 'Bo', email: '', role: 'chair' },
    ],
  };
}

function meeting(over: Partial<Meeting>): Meeting {
  return {
    id: 'm1',
    title: 'C5 meeting',
    forum: '',
    start_date: '2006-05-15',
    end_date: '2006-05-16',
    time_zone: 'Europe/Zurich',
    venue: '',
    status: 'agenda_published',
    visibility: 'public',
    my_role: '',
    remote_url: '',
    remote_instructions: '',
    description: '',
    groups: [],
    participants: [
      { user_id: 'u1', name: 'Ana', role: 'participant' },
      { user_id: 'u3', name: 'Cy', role: 'observer' },
    ],
    attendance: [],
    agenda: {
      sessions: [
        {
          id: 's1',
          title: 'Opening',
          chairs: [
            { user_id: 'u4', name: 'Dee', title: '', organization: '' },
            { user_id: '', name: 'No Account', title: '', organization: '' },
          ],
          start: '2006-05-15T09:30',
          end: '2006-05-15T10:30',
          description: '',
          archive_url: '',
          items: [],
          revision: 1,
        },
      ],
    },
    agenda_shown: 'published',
    agenda_number: 1,
    draft_changed: false,
    published: [],
    live: null,
    live_seq: 0,
    version: 3,
    can: { edit_meeting: false, edit_sessions: [], live_sessions: [], post: false },
    room: 'meeting:m1',
    updated_at: '2006-05-01T00:00:00Z',
    server_time: '2006-05-01T00:00:00Z',
    ...over,
  };
}

describe('groupRoomInfo', () => {
  it('lets chairs and members post and keeps their room followed', () => {
    const r = groupRoomInfo(group('member'), user());
    expect(r).toMatchObject({ title: 'Media Literacy', backHref: '/groups/g%201', canPost: true, canModerate: false, keep: true });
    expect(groupRoomInfo(group('chair'), user())).toMatchObject({ canPost: true, canModerate: true });
    expect(r.people).toEqual([
      { user_id: 'u1', name: 'Ana' },
      { user_id: 'u2', name: 'Bo' },
    ]);
  });

  it('has observers and outsiders read, and the secretariat moderate', () => {
    expect(groupRoomInfo(group('observer'), user())).toMatchObject({ canPost: false, readOnly: 'room.observer', keep: true });
    expect(groupRoomInfo(group(''), user())).toMatchObject({ canPost: false, readOnly: 'room.readOnly', keep: false });
    expect(groupRoomInfo(group(''), user('secretariat'))).toMatchObject({ canPost: true, canModerate: true });
  });
});

describe('meetingRoomInfo', () => {
  it('follows what the meeting says about posting and leads back to the meeting', () => {
    const r = meetingRoomInfo(meeting({ my_role: 'participant', can: { edit_meeting: false, edit_sessions: [], live_sessions: [], post: true } }), user());
    expect(r).toMatchObject({ title: 'C5 meeting', backHref: '/meetings/m1', backLabel: 'meetingRoom.back', canPost: true, canModerate: false, keep: false });
  });

  it('has observers and other readers read, with their own notice', () => {
    expect(meetingRoomInfo(meeting({ my_role: 'observer' }), user())).toMatchObject({ canPost: false, readOnly: 'meetingRoom.observer' });
    expect(meetingRoomInfo(meeting({}), user())).toMatchObject({ canPost: false, readOnly: 'meetingRoom.readOnly' });
  });

  it('lets meeting chairs and the secretariat moderate', () => {
    expect(meetingRoomInfo(meeting({ my_role: 'chair' }), user()).canModerate).toBe(true);
    expect(meetingRoomInfo(meeting({}), user('secretariat')).canModerate).toBe(true);
  });

  it('offers participants and session chairs with an account for mentions', () => {
    expect(meetingRoomInfo(meeting({}), user()).people).toEqual([
      { user_id: 'u1', name: 'Ana' },
      { user_id: 'u3', name: 'Cy' },
      { user_id: 'u4', name: 'Dee' },
    ]);
  });
});
