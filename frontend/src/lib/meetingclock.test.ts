import { describe, expect, it } from 'vitest';
import {
  addMinutes,
  elapsedClock,
  estimateSkew,
  formatClock,
  formatDateRange,
  formatWallDay,
  formatWallTime,
  formatZoneTime,
  itemTimes,
  timerState,
  wallNow,
  zoneCity,
  zoneOffset,
} from './meetingclock';

const START = '2006-05-15T07:30:00Z';
const at = (seconds: number) => Date.parse(START) + seconds * 1000;

describe('formatClock', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [59.9, '0:59'],
    [83, '1:23'],
    [600, '10:00'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3723, '1:02:03'],
    [-4, '0:00'],
  ])('%s s → %s', (s, want) => expect(formatClock(s)).toBe(want));
});

describe('timerState', () => {
  it('counts down, rounding the time left up', () => {
    expect(timerState(300, START, at(0))).toMatchObject({ text: '5:00', remaining: 300, overrun: false, used: 0 });
    expect(timerState(300, START, at(0.2))).toMatchObject({ text: '5:00', overrun: false });
    expect(timerState(300, START, at(1))).toMatchObject({ text: '4:59', remaining: 299 });
    expect(timerState(300, START, at(150))?.used).toBeCloseTo(0.5);
    expect(timerState(300, START, at(299.5))).toMatchObject({ text: '0:01', overrun: false });
  });

  it('is up at zero and then shows the overrun as +m:ss', () => {
    expect(timerState(300, START, at(300))).toMatchObject({ text: '0:00', remaining: 0, over: 0, overrun: true, used: 1 });
    expect(timerState(300, START, at(300.9))).toMatchObject({ text: '0:00', overrun: true });
    expect(timerState(300, START, at(301))).toMatchObject({ text: '+0:01', over: 1, overrun: true });
    expect(timerState(300, START, at(383))).toMatchObject({ text: '+1:23', over: 83 });
    expect(timerState(60, START, at(60 + 3723))).toMatchObject({ text: '+1:02:03' });
  });

  it('treats a clock behind the start as not started yet', () => {
    expect(timerState(120, START, at(-30))).toMatchObject({ text: '2:00', overrun: false });
  });

  it('is null without a timer or a start', () => {
    expect(timerState(0, START, at(10))).toBeNull();
    expect(timerState(60, 'not a time', at(10))).toBeNull();
  });
});

describe('elapsedClock', () => {
  it('shows the time since a moment', () => {
    expect(elapsedClock(START, at(754))).toBe('12:34');
    expect(elapsedClock('bad', at(1))).toBe('');
  });
});

describe('wall times', () => {
  it('adds minutes across midnight', () => {
    expect(addMinutes('2006-05-15T23:30', 45)).toBe('2006-05-16T00:15');
    expect(addMinutes('nonsense', 5)).toBe('');
  });

  it('gives items their start and end from the session start and the durations', () => {
    const t = itemTimes('2006-05-15T09:30', [
      { id: 'a', duration: 15 },
      { id: 'b', duration: 0 },
      { id: 'c', duration: 90 },
    ]);
    expect(t.get('a')).toEqual({ start: '2006-05-15T09:30', end: '2006-05-15T09:45' });
    expect(t.get('b')).toEqual({ start: '2006-05-15T09:45', end: '2006-05-15T09:45' });
    expect(t.get('c')).toEqual({ start: '2006-05-15T09:45', end: '2006-05-15T11:15' });
    expect(itemTimes('', [{ id: 'a', duration: 5 }]).size).toBe(0);
  });

  it('reads the wall time in a zone, summer time included', () => {
    // 07:30 UTC in May is 09:30 in Geneva (UTC+2) and 03:30 in New York (UTC-4).
    expect(wallNow('Europe/Zurich', at(0))).toBe('2006-05-15T09:30');
    expect(wallNow('America/New_York', at(0))).toBe('2006-05-15T03:30');
    expect(wallNow('Asia/Kolkata', Date.parse('2006-12-31T20:00:00Z'))).toBe('2007-01-01T01:30');
    expect(wallNow('Not/AZone', at(0))).toBe('2006-05-15T07:30');
  });

  it('formats wall times as they are, whatever the browser zone', () => {
    expect(formatWallTime('2006-05-15T09:05', 'en-GB')).toBe('09:05');
    expect(formatWallTime('2006-05-15T14:00', 'fr')).toBe('14:00');
    expect(formatWallDay('2006-05-15T09:05', 'en-GB')).toMatch(/^Monday,? 15 May 2006$/);
    expect(formatWallDay('2006-05-15', 'fr')).toBe('lundi 15 mai 2006');
    expect(formatDateRange('2006-05-15', '2006-05-19', 'en-GB')).toMatch(/^15\s?–\s?19 May 2006$/);
    expect(formatDateRange('2006-05-15', '2006-05-15', 'en-GB')).toBe('15 May 2006');
  });

  it('shows the time now in the meeting zone', () => {
    expect(formatZoneTime(at(0), 'Europe/Zurich', 'en-GB')).toBe('09:30');
    expect(formatZoneTime(at(0), 'Asia/Tokyo', 'en-GB')).toBe('16:30');
  });

  it('names the zone offset and city', () => {
    expect(zoneOffset('Europe/Zurich', '2006-05-15')).toBe('UTC+02:00');
    expect(zoneOffset('Europe/Zurich', '2006-12-15')).toBe('UTC+01:00');
    expect(zoneOffset('UTC', '2006-12-15')).toBe('UTC');
    expect(zoneOffset('Not/AZone', '2006-12-15')).toBe('');
    expect(zoneCity('America/New_York')).toBe('New York');
  });
});

describe('estimateSkew', () => {
  it('takes a small difference as transit time and a larger one as a clock difference', () => {
    expect(estimateSkew(at(0.8), START)).toBe(0);
    expect(estimateSkew(at(-1), START)).toBe(0);
    expect(estimateSkew(at(42), START)).toBe(42_000);
    expect(estimateSkew(at(-30), START)).toBe(-30_000);
    expect(estimateSkew(at(3), 'bad')).toBe(0);
  });

  it('makes a timer read right on a device whose clock is wrong', () => {
    // The device is 42 s ahead; 10 s after the server started a 5 minute timer.
    const skew = estimateSkew(at(42), START);
    expect(timerState(300, START, at(52) - skew)?.text).toBe('4:50');
  });
});
