import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateInZone,
  elsewhere,
  isTimeZone,
  meetingDays,
  meetingPhase,
  sameClock,
  splitMeetings,
  timeZoneNames,
  wallToInstant,
  zoneLongName,
  zoneOffsetMinutes,
} from './meetingtime';

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('zoneOffsetMinutes', () => {
  it('follows daylight saving time and odd offsets', () => {
    expect(zoneOffsetMinutes('Europe/Zurich', Date.UTC(2006, 4, 15, 12))).toBe(120);
    expect(zoneOffsetMinutes('Europe/Zurich', Date.UTC(2006, 0, 15, 12))).toBe(60);
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2006, 4, 15, 12))).toBe(-240);
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.UTC(2006, 4, 15, 12))).toBe(330);
    expect(zoneOffsetMinutes('UTC', Date.UTC(2006, 4, 15, 12))).toBe(0);
    expect(zoneOffsetMinutes('Not/AZone', 0)).toBeNull();
    expect(isTimeZone('Not/AZone')).toBe(false);
    expect(isTimeZone('Europe/Zurich')).toBe(true);
  });
});

describe('wallToInstant', () => {
  it('reads a wall time in the meeting zone', () => {
    expect(iso(wallToInstant('2006-05-15T09:30', 'Europe/Zurich'))).toBe('2006-05-15T07:30:00.000Z');
    expect(iso(wallToInstant('2006-01-15T09:30', 'Europe/Zurich'))).toBe('2006-01-15T08:30:00.000Z');
    expect(iso(wallToInstant('2006-05-15T09:30', 'America/New_York'))).toBe('2006-05-15T13:30:00.000Z');
    expect(iso(wallToInstant('2006-05-15T09:30', 'Asia/Kolkata'))).toBe('2006-05-15T04:00:00.000Z');
    expect(iso(wallToInstant('2006-05-15T00:30', 'Pacific/Auckland'))).toBe('2006-05-14T12:30:00.000Z');
    expect(iso(wallToInstant('2006-05-15', 'Europe/Zurich'))).toBe('2006-05-14T22:00:00.000Z');
  });

  it('handles the nights daylight saving starts and ends', () => {
    // 26 March 2006: Zurich skips 02:00–03:00; a skipped time moves forward.
    expect(iso(wallToInstant('2006-03-26T01:30', 'Europe/Zurich'))).toBe('2006-03-26T00:30:00.000Z');
    expect(iso(wallToInstant('2006-03-26T02:30', 'Europe/Zurich'))).toBe('2006-03-26T01:30:00.000Z');
    expect(iso(wallToInstant('2006-03-26T03:30', 'Europe/Zurich'))).toBe('2006-03-26T01:30:00.000Z');
    // 29 October 2006: 02:00–03:00 happens twice; the first one counts.
    expect(iso(wallToInstant('2006-10-29T02:30', 'Europe/Zurich'))).toBe('2006-10-29T00:30:00.000Z');
    expect(iso(wallToInstant('2006-10-29T03:30', 'Europe/Zurich'))).toBe('2006-10-29T02:30:00.000Z');
  });

  it('refuses what is not a wall time or a zone', () => {
    expect(wallToInstant('15/05/2006 09:30', 'Europe/Zurich')).toBeNull();
    expect(wallToInstant('2006-05-15T09:30', 'Mars/Olympus')).toBeNull();
  });
});

describe('elsewhere (the hover text with the viewer’s own time)', () => {
  it('shows the same moment in another zone, with the day when it changes', () => {
    expect(elsewhere('2006-05-15T09:30', 'Europe/Zurich', 'America/New_York', 'en-GB')).toBe('Mon 15 May, 03:30');
    expect(elsewhere('2006-05-15T09:30', 'Europe/Zurich', 'Asia/Tokyo', 'en-GB')).toBe('Mon 15 May, 16:30');
    expect(elsewhere('2006-05-15T17:30', 'Europe/Zurich', 'Pacific/Auckland', 'en-GB')).toBe('Tue 16 May, 03:30');
    expect(elsewhere('2006-05-15T09:30', 'Europe/Zurich', 'Asia/Kolkata', 'en-GB')).toBe('Mon 15 May, 13:00');
    expect(elsewhere('2006-05-15T09:30', 'Europe/Zurich', 'Nowhere/Land', 'en-GB')).toBe('');
    expect(elsewhere('2006-05-15T10:00', 'Europe/Zurich', 'America/New_York', 'en-GB', false)).toBe('04:00');
  });

  it('uses the language of the page', () => {
    expect(elsewhere('2006-05-15T09:30', 'Europe/Zurich', 'America/New_York', 'fr')).toMatch(/15 mai.*03:30/);
  });

  it('knows when the viewer’s clock shows the same time', () => {
    expect(sameClock('2006-05-15T09:30', 'Europe/Zurich', 'Europe/Paris')).toBe(true);
    expect(sameClock('2006-05-15T09:30', 'Europe/Zurich', 'Europe/London')).toBe(false);
    // Same offset in winter only.
    expect(sameClock('2006-01-15T09:30', 'Europe/Zurich', 'Africa/Lagos')).toBe(true);
    expect(sameClock('2006-05-15T09:30', 'Europe/Zurich', 'Africa/Lagos')).toBe(false);
  });
});

describe('dates of meetings', () => {
  // 2026-05-15 23:30 UTC: already the 16th in Zurich, still the 15th in New York.
  const now = Date.UTC(2026, 4, 15, 23, 30);

  it('dateInZone is the local date in the zone', () => {
    expect(dateInZone('Europe/Zurich', now)).toBe('2026-05-16');
    expect(dateInZone('America/New_York', now)).toBe('2026-05-15');
    expect(dateInZone('UTC', now)).toBe('2026-05-15');
  });

  it('a meeting is past only once its last day is over in its own zone', () => {
    const zurich = { start_date: '2026-05-14', end_date: '2026-05-15', time_zone: 'Europe/Zurich' };
    const newYork = { ...zurich, time_zone: 'America/New_York' };
    expect(meetingPhase(zurich, now)).toBe('past');
    expect(meetingPhase(newYork, now)).toBe('ongoing');
    expect(meetingPhase({ ...zurich, start_date: '2026-05-17', end_date: '2026-05-18' }, now)).toBe('upcoming');
  });

  it('splitMeetings: upcoming soonest first, past latest first', () => {
    const list = [
      { title: 'old', start_date: '2006-05-15', end_date: '2006-05-16', time_zone: 'Europe/Zurich' },
      { title: 'ny', start_date: '2026-05-14', end_date: '2026-05-15', time_zone: 'America/New_York' },
      { title: 'zh', start_date: '2026-05-14', end_date: '2026-05-15', time_zone: 'Europe/Zurich' },
      { title: 'later', start_date: '2026-09-01', end_date: '2026-09-02', time_zone: 'Asia/Tokyo' },
      { title: 'soon', start_date: '2026-06-01', end_date: '2026-06-01', time_zone: 'UTC' },
    ];
    const { upcoming, past } = splitMeetings(list, now);
    expect(upcoming.map((m) => m.title)).toEqual(['ny', 'soon', 'later']);
    expect(past.map((m) => m.title)).toEqual(['zh', 'old']);
  });

  it('meetingDays lists every day, addDays moves across months', () => {
    expect(meetingDays('2006-05-30', '2006-06-02')).toEqual(['2006-05-30', '2006-05-31', '2006-06-01', '2006-06-02']);
    expect(meetingDays('2006-05-15', '2006-05-15')).toEqual(['2006-05-15']);
    expect(meetingDays('2006-05-16', '2006-05-15')).toEqual([]);
    expect(meetingDays('x', '2006-05-15')).toEqual([]);
    expect(addDays('2006-02-28', 1)).toBe('2006-03-01');
    expect(addDays('2006-03-01', -1)).toBe('2006-02-28');
  });
});

describe('zones', () => {
  it('timeZoneNames starts with UTC and includes the fallback', () => {
    const names = timeZoneNames('Europe/Zurich');
    expect(names[0]).toBe('UTC');
    expect(names).toContain('Europe/Zurich');
    expect(names).toContain('America/New_York');
    expect(new Set(names).size).toBe(names.length);
  });

  it('zoneLongName names a zone in the language', () => {
    const summer = Date.UTC(2006, 4, 15);
    expect(zoneLongName('Europe/Zurich', 'en', summer)).toBe('Central European Time');
    expect(zoneLongName('Europe/Zurich', 'fr', summer)).toMatch(/Europe centrale/);
    expect(zoneLongName('Nowhere/Land', 'en', summer)).toBe('');
  });
});
