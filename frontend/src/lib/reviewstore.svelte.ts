// The review of one open report, shared by its banner and its Review tab: the review (state,
// rounds, versions) and the comments of its current round, re-read whenever the server announces
// a change (`review.changed` on the app's websocket) or the connection comes back; and who may be
// mentioned in comments.
import { api, type Review, type ReviewComment } from './api';
import { chat } from './chat.svelte';
import { errorMessage } from './errors';
import type { Mentionable } from './mentions';
import { mentionable } from './review';
import { session } from './session.svelte';

export class ReviewStore {
  readonly reportID: string;
  review = $state<Review | null>(null);
  comments = $state<ReviewComment[]>([]);
  error = $state('');
  /** Grows with every load, so that views depending on more than these fields re-read too. */
  loads = $state(0);
  /** Who may be mentioned: the group's members and the report's drafters, but not oneself (loadPeople). */
  people = $state<Mentionable[]>([]);
  private peopleAsked = false;
  /** The server's clock minus this browser's, in ms: deadlines are judged on the server's clock. */
  private skew = 0;
  private busy = false;
  private again = false;

  constructor(reportID: string) {
    this.reportID = reportID;
  }

  /** now is the current time on the server's clock, in ms. */
  now(): number {
    return Date.now() + this.skew;
  }

  /** load reads the review and the comments of its round; concurrent calls make one more load at most. */
  async load(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again);
    } finally {
      this.busy = false;
    }
  }

  private async loadOnce(): Promise<void> {
    try {
      const asked = Date.now();
      const r = await api.getReview(this.reportID);
      const server = Date.parse(r.server_time);
      if (!Number.isNaN(server)) this.skew = server - (asked + Date.now()) / 2;
      const comments = r.round ? await api.listComments(this.reportID, r.round.n) : [];
      this.review = r;
      this.comments = comments;
      this.error = '';
      this.loads++;
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /**
   * loadPeople reads, once, who may be mentioned (the server accepts the group's members and the
   * report's drafters). A drafter outside the group may not see the group: then only the drafters.
   */
  async loadPeople(): Promise<void> {
    if (this.peopleAsked) return;
    this.peopleAsked = true;
    try {
      const report = await api.getReport(this.reportID);
      const members = await api.getGroup(report.group_id).then(
        (g) => g.members ?? [],
        () => [],
      );
      this.people = mentionable(members, report.drafters, session.user?.id ?? '');
    } catch {
      this.peopleAsked = false; // asked again next time
    }
  }

  /** set takes a review answered by an action and re-reads the comments. */
  set(r: Review): void {
    this.review = r;
    void this.load();
  }

  /** replace puts a changed comment in place (the answer of a reply, disposition or decision). */
  replace(c: ReviewComment): void {
    const i = this.comments.findIndex((x) => x.n === c.n);
    if (i >= 0) this.comments[i] = c;
    else this.comments.push(c);
    void this.load();
  }

  /** follow keeps the review fresh until the returned function is called. */
  follow(): () => void {
    const off = chat.onReviewChanged((id) => {
      if (id === this.reportID) void this.load();
    });
    let last = chat.state;
    const stop = $effect.root(() => {
      $effect(() => {
        // Announcements may have been missed while disconnected.
        const s = chat.state;
        if (s === 'connected' && last !== 'connected') void this.load();
        last = s;
      });
    });
    return () => {
      off();
      stop();
    };
  }
}
