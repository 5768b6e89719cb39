// The one client for the Plenary HTTP API (docs/api.md). Every request the
// app makes goes through ApiClient; views receive the DTOs declared here.
//
// The access token lives only in memory. A browser session survives reloads
// through the HttpOnly refresh cookie: restore() trades it for a new access
// token, and any call that answers 401 triggers one shared refresh and is
// retried once.

/** A role on the platform. */
export type UserRole = 'secretariat' | 'user';
/** A role inside a working group. */
export type GroupRole = 'chair' | 'member' | 'observer';
export type Visibility = 'public' | 'private';
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';
export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'internal'
  | 'network';

export const GROUP_ROLES: readonly GroupRole[] = ['chair', 'member', 'observer'];

// ---- DTOs -----------------------------------------------------------------

/** GET /api/me, and `user` in a session answer. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

/** Answer of login, refresh and invitation accept. */
export interface SessionResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface WsTicket {
  ticket: string;
}

export interface CreateInvitationRequest {
  email: string;
  group_id?: string;
  group_role?: GroupRole;
}

/** Answer of POST /api/invitations. `link` is the path `/invite#<token>`. */
export interface CreatedInvitation {
  id: string;
  email: string;
  link: string;
  token: string;
  expires_at: string;
  status: InvitationStatus;
}

/** An item of GET /api/invitations. */
export interface Invitation {
  id: string;
  email: string;
  status: InvitationStatus;
  expires_at: string;
  created_at: string;
  /** The group the invitee joins. docs/api.md lists it always; the server omits it when there is none. */
  group_id?: string;
  /** Not in docs/api.md; the server sends it along with group_id. */
  group_role?: GroupRole;
}

export interface InvitationLookup {
  email: string;
  expires_at: string;
}

export interface AcceptInvitationRequest {
  token: string;
  name: string;
  password: string;
}

export interface FocusArea {
  id: string;
  name: string;
  description: string;
}

export interface CreateFocusAreaRequest {
  name: string;
  description: string;
}

export interface UpdateFocusAreaRequest {
  name?: string;
  description?: string;
}

export interface GroupSummary {
  id: string;
  name: string;
  focus_area: string;
  focus_area_name: string;
  description: string;
  visibility: Visibility;
  member_count: number;
  /** The caller's role in the group, or "" when not a member. */
  my_role: GroupRole | '';
}

export interface Member {
  user_id: string;
  name: string;
  /** "" unless the caller is the secretariat or a chair of the group. */
  email: string;
  role: GroupRole;
}

export interface Group extends GroupSummary {
  members: Member[];
  can_manage: boolean;
}

export interface CreateGroupRequest {
  name: string;
  focus_area: string;
  description: string;
  visibility: Visibility;
}

export interface UpdateGroupRequest {
  name?: string;
  focus_area?: string;
  description?: string;
  visibility?: Visibility;
}

export type AddMemberRequest =
  | { email: string; role: GroupRole }
  | { user_id: string; role: GroupRole };

// ---- meetings and agendas (docs/api.md "Meetings and agendas") ----

/** A meeting's life cycle, in its usual order. */
export type MeetingStatus = 'planned' | 'agenda_draft' | 'agenda_published' | 'in_session' | 'closed';
export const MEETING_STATUSES: readonly MeetingStatus[] = ['planned', 'agenda_draft', 'agenda_published', 'in_session', 'closed'];
/** public: anyone, also signed out; participants: its participants, session chairs and the secretariat. */
export type MeetingVisibility = 'public' | 'participants';
export const MEETING_VISIBILITIES: readonly MeetingVisibility[] = ['public', 'participants'];
/** A role in a meeting. */
export type ParticipantRole = 'chair' | 'participant' | 'observer';
export const PARTICIPANT_ROLES: readonly ParticipantRole[] = ['chair', 'participant', 'observer'];
export type ItemKind = 'item' | 'break';
/** Which agenda GET /api/meetings/{id} shows the caller. */
export type AgendaShown = 'draft' | 'published' | 'none';

/** A chair or speaker on the agenda; user_id ("" for none) links an account. */
export interface AgendaPerson {
  user_id: string;
  name: string;
  title: string;
  organization: string;
}

/** One entry of a session: a presentation or discussion, or a break. */
export interface AgendaItem {
  id: string;
  kind: ItemKind;
  title: string;
  speakers: AgendaPerson[];
  /** Minutes; an item starts at its session's start plus the durations before it. */
  duration: number;
  /** Document symbols or references, e.g. "C5/2006/C/007". */
  contributions: string[];
  notes: string;
}

/** A block of the agenda; its number is its position from 1. */
export interface Session {
  id: string;
  title: string;
  chairs: AgendaPerson[];
  /** Local date-time "YYYY-MM-DDTHH:MM" in the meeting's time zone. */
  start: string;
  end: string;
  description: string;
  archive_url: string;
  items: AgendaItem[];
  revision: number;
}

export interface Agenda {
  sessions: Session[];
}

export interface Participant {
  user_id: string;
  name: string;
  role: ParticipantRole;
}

/** Who was present on one day of the meeting (a local date "YYYY-MM-DD"). */
export interface AttendanceDay {
  date: string;
  present: string[];
}

export interface PublishedVersion {
  number: number;
  note: string;
  at: string;
  by: string;
  by_name: string;
}

/** GET /api/meetings/{id}/agenda/versions/{n}: one published agenda. */
export interface AgendaVersion extends PublishedVersion {
  /** The meeting's zone when the version was published. */
  time_zone: string;
  agenda: Agenda;
}

/** The current item of a running meeting, with its optional countdown. */
export interface Live {
  session_id: string;
  item_id: string;
  since: string;
  /** A countdown of this many seconds started at timer_started, when above 0. */
  timer_seconds: number;
  timer_started: string;
  by: string;
  by_name: string;
}

/** What the caller may change, so the UI shows only what works. */
export interface MeetingPermissions {
  /** Meeting fields, session chairs and times, sessions, publishing, participants, attendance. */
  edit_meeting: boolean;
  /** Sessions whose title, description and items the caller may edit. */
  edit_sessions: string[];
  /** Sessions whose items the caller may mark current. */
  live_sessions: string[];
  /** May post in the meeting's room. */
  post: boolean;
}

export interface MeetingSummary {
  id: string;
  title: string;
  forum: string;
  start_date: string;
  end_date: string;
  time_zone: string;
  venue: string;
  status: MeetingStatus;
  visibility: MeetingVisibility;
  /** The caller's participant role, or "". */
  my_role: ParticipantRole | '';
}

export interface GroupRef {
  id: string;
  name: string;
}

/** A meeting as one caller sees it (GET /api/meetings/{id} and every change's answer). */
export interface Meeting extends MeetingSummary {
  remote_url: string;
  remote_instructions: string;
  description: string;
  groups: GroupRef[];
  /** Empty for anonymous readers. */
  participants: Participant[];
  attendance: AttendanceDay[];
  /** The draft for editors, the latest published version for others, null when nothing is published. */
  agenda: Agenda | null;
  agenda_shown: AgendaShown;
  /** The published version shown (or, with a draft, the latest one); 0 for none. */
  agenda_number: number;
  /** Editors: the draft differs from the latest published version. */
  draft_changed: boolean;
  /** Published versions, oldest first. */
  published: PublishedVersion[];
  live: Live | null;
  live_seq: number;
  version: number;
  can: MeetingPermissions;
  /** The meeting's discussion room, "meeting:<id>". */
  room: string;
  updated_at: string;
  /** The server's clock when it answered, so countdowns do not depend on the viewer's clock. */
  server_time: string;
}

/** Meeting fields a request sets; absent fields stay as they are. */
export interface MeetingFields {
  title?: string;
  forum?: string;
  start_date?: string;
  end_date?: string;
  time_zone?: string;
  venue?: string;
  remote_url?: string;
  remote_instructions?: string;
  description?: string;
  status?: MeetingStatus;
  visibility?: MeetingVisibility;
  /** Ids of organizing groups. */
  groups?: string[];
}

export interface CreateMeetingRequest extends MeetingFields {
  title: string;
  start_date: string;
  end_date: string;
  time_zone: string;
  visibility: MeetingVisibility;
}

/** Session fields; chairs, start and end are the secretariat's. */
export interface SessionFields {
  title?: string;
  chairs?: AgendaPerson[];
  start?: string;
  end?: string;
  description?: string;
  archive_url?: string;
}

export interface ItemFields {
  kind?: ItemKind;
  title?: string;
  speakers?: AgendaPerson[];
  duration?: number;
  contributions?: string[];
  notes?: string;
}

/** Moves a session (no item_id) to to_index among sessions, or an item to to_index in to_session (default: its own). */
export interface MoveRequest {
  session_id: string;
  item_id?: string;
  to_session?: string;
  /** Position from 0. */
  to_index: number;
}

export interface SetLiveRequest {
  session_id: string;
  item_id: string;
  /** Starts a countdown when above 0. */
  timer_seconds?: number;
}

export type AddParticipantRequest =
  | { email: string; role: ParticipantRole }
  | { user_id: string; role: ParticipantRole };

/** A personal calendar feed address. */
export interface CalendarFeed {
  url: string;
}

export type DiffChange = 'added' | 'removed' | 'moved' | 'changed' | 'unchanged';
/** One of the two ends of an agenda diff: a published version number or the draft. */
export type DiffEnd = number | 'draft';

/** A changed field with its values before and after, rendered by the server as readable text. */
export interface FieldChange {
  field: string;
  old: string;
  new: string;
}

export interface ItemDiff {
  id: string;
  change: DiffChange;
  moved: boolean;
  /** Position from 1 in its session of the newer agenda (0 if removed or gone elsewhere), and in the older one (0 if added). */
  position: number;
  old_position: number;
  /** The old session's id when the item came here from another session. */
  from_session: string;
  /** Set on the placeholder left where an item was before it went to another session (not counted). */
  to_session: string;
  title: string;
  fields: FieldChange[];
  kind: ItemKind;
}

export interface SessionDiff {
  id: string;
  change: DiffChange;
  moved: boolean;
  /** Session number (from 1) in the newer agenda (0 if removed), and in the older one (0 if added). */
  number: number;
  old_number: number;
  title: string;
  fields: FieldChange[];
  items: ItemDiff[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  moved: number;
  changed: number;
}

export interface AgendaDiff {
  /** The two ends as asked: a version number as text ("2") or "draft". */
  from: string;
  to: string;
  sessions: SessionDiff[];
  counts: DiffCounts;
}

/** The realtime announcement of a stored meeting change (also the shape meetingfeed hands out). */
export interface MeetingPulse {
  version: number;
  live_seq: number;
  live: Live | null;
}

/** meetingCalendarURL is the public calendar file of a meeting: a plain link, not an API call. */
export function meetingCalendarURL(id: string): string {
  return `/api/meetings/${encodeURIComponent(id)}/calendar.ics`;
}

const arr = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);

function normalizePerson(p: AgendaPerson): AgendaPerson {
  return { user_id: p.user_id ?? '', name: p.name ?? '', title: p.title ?? '', organization: p.organization ?? '' };
}

/** normalizeAgenda turns absent or null lists (Go's nil slices) into empty ones. */
export function normalizeAgenda(a: Agenda | null | undefined): Agenda | null {
  if (!a) return null;
  return {
    sessions: arr(a.sessions).map((s) => ({
      ...s,
      chairs: arr(s.chairs).map(normalizePerson),
      description: s.description ?? '',
      archive_url: s.archive_url ?? '',
      items: arr(s.items).map((it) => ({
        ...it,
        speakers: arr(it.speakers).map(normalizePerson),
        contributions: arr(it.contributions),
        notes: it.notes ?? '',
        duration: it.duration ?? 0,
      })),
    })),
  };
}

/** normalizeMeeting makes every list of a meeting an array, so views need no null checks. */
export function normalizeMeeting(m: Meeting): Meeting {
  const can = m.can ?? { edit_meeting: false, edit_sessions: [], live_sessions: [], post: false };
  return {
    ...m,
    groups: arr(m.groups),
    participants: arr(m.participants),
    attendance: arr(m.attendance).map((d) => ({ ...d, present: arr(d.present) })),
    agenda: normalizeAgenda(m.agenda),
    published: arr(m.published),
    live: m.live ?? null,
    can: { ...can, edit_sessions: arr(can.edit_sessions), live_sessions: arr(can.live_sessions) },
  };
}

// ---- reports (docs/api.md "Reports") ----

export interface UserRef {
  id: string;
  name: string;
}

/** A report; its text is edited over /api/sharedb in collection `collection`. */
export interface Report {
  id: string;
  title: string;
  group_id: string;
  drafters: UserRef[];
  created_by: string;
  created_at: string;
  collection: string;
  type: string;
  /** Whether the server accepts this person's ops. */
  can_edit: boolean;
  /** Whether this person may name drafters. */
  can_manage: boolean;
}

function normalizeReport(r: Report): Report {
  return { ...r, drafters: arr(r.drafters) };
}

/** What one person did within a history entry; counts in code points. */
export interface HistoryAuthor extends UserRef {
  ops: number;
  inserted: number;
  deleted: number;
}

/** One burst of editing: the report went from version `from` to version `to`. */
export interface HistoryEntry {
  from: number;
  to: number;
  start: string;
  end: string;
  created: boolean;
  authors: HistoryAuthor[];
  /** The version whose text this entry brought back, when it is a restore. */
  restored?: number;
}

/** What one person may upload, in bytes (uploads in progress count in full in `used`). */
export interface UploadLimits {
  max_file_size: number;
  quota: number;
  used: number;
}

/** A numbered paragraph of a rendered report: its number and its range in the Markdown, in code points. */
export interface RenderedParagraph {
  n: number;
  from: number;
  to: number;
}

/** A version of a report rendered by the server: safe HTML with numbered paragraphs and footnotes. */
export interface RenderedReport {
  v: number;
  html: string;
  paragraphs: RenderedParagraph[];
  /** The Markdown source of that version (paragraph ranges index it in code points). */
  text: string;
}

// ---- report review (docs/api.md "Report review") ----

export type ReviewState = 'draft' | 'circulated' | 'closed' | 'final' | 'published';
export const REVIEW_STATES: readonly ReviewState[] = ['draft', 'circulated', 'closed', 'final', 'published'];

/** A review round: a version circulated for comments until a deadline. */
export interface ReviewRound {
  n: number;
  name: string;
  /** The report version circulated. */
  v: number;
  /** RFC 3339, UTC. */
  deadline: string;
  /** The IANA zone the deadline was set in. */
  zone: string;
  /** The chair's message with the circulation. */
  message: string;
  opened_by: UserRef;
  opened_at: string;
  closed_at: string | null;
  /** null while open; an empty id when closed automatically at the deadline. */
  closed_by: UserRef | null;
  final_name: string;
  final_v: number;
  /** The contribution id of the published file, "" before. */
  published_doc: string;
}

export type VersionKind = 'circulated' | 'final' | 'named';

export interface NamedVersion {
  name: string;
  v: number;
  kind: VersionKind;
  by: UserRef;
  at: string;
}

export interface ReviewTransition {
  action: string;
  by: UserRef;
  at: string;
  note: string;
}

export interface Review {
  report_id: string;
  state: ReviewState;
  round: ReviewRound | null;
  rounds: ReviewRound[];
  versions: NamedVersion[];
  transitions: ReviewTransition[];
  server_time: string;
  can_comment: boolean;
  /** The secretariat and the group's chairs. */
  can_manage: boolean;
  can_edit: boolean;
  counts: { open: number; disposed: number; total: number };
}

export type DispositionKind = 'accepted' | 'modified' | 'rejected' | 'noted';
export const DISPOSITION_KINDS: readonly DispositionKind[] = ['accepted', 'modified', 'rejected', 'noted'];

export interface Disposition {
  kind: DispositionKind;
  note: string;
  by: UserRef;
  at: string;
}

export interface CommentReply {
  id: number;
  author: UserRef;
  text: string;
  mentions: UserRef[];
  at: string;
}

export type CommentKind = 'comment' | 'suggestion';

/** A range of the report's text in code points at version v; gone when its text was deleted. */
export interface TextAnchor {
  from: number;
  to: number;
  v: number;
  gone?: boolean;
}

export interface ReviewComment {
  n: number;
  round: number;
  kind: CommentKind;
  author: UserRef;
  created_at: string;
  text: string;
  mentions: UserRef[];
  quote: string;
  /** The paragraph number in the round's version. */
  para: number;
  version_name: string;
  base: TextAnchor;
  anchor: TextAnchor;
  replacement: string;
  suggestion: 'pending' | 'accepted' | 'rejected' | '';
  applied_v: number;
  replies: CommentReply[];
  disposition: Disposition | null;
  mine: boolean;
}

/** One row of the disposition log. */
export interface DispositionRow {
  para: number;
  n: number;
  comment: string;
  commenter: string;
  kind: DispositionKind | '';
  note: string;
}

export interface CirculateRequest {
  name: string;
  /** A wall time "YYYY-MM-DDTHH:MM" in zone. */
  deadline: string;
  zone: string;
  message?: string;
}

export interface PublishRequest {
  meeting_id?: string;
  format: 'pdf' | 'docx';
  annex: boolean;
}

export interface NewComment {
  from: number;
  to: number;
  text: string;
  kind: CommentKind;
  replacement?: string;
  mentions?: string[];
}

export type ExportFormat = 'html' | 'docx' | 'pdf';

function normalizeReview(r: Review): Review {
  return {
    ...r,
    rounds: arr(r.rounds),
    versions: arr(r.versions),
    transitions: arr(r.transitions),
    counts: r.counts ?? { open: 0, disposed: 0, total: 0 },
  };
}

function normalizeComment(c: ReviewComment): ReviewComment {
  const replies = arr(c.replies).map((r) => ({ ...r, mentions: arr(r.mentions) }));
  return { ...c, mentions: arr(c.mentions), replies, disposition: c.disposition ?? null };
}

/** exportURL is the address of a report's export (a ticket is added for signed-in downloads). */
export function exportURL(id: string, format: ExportFormat, v?: number, annex = false): string {
  const q = new URLSearchParams({ format });
  if (v !== undefined) q.set('v', String(v));
  if (annex) q.set('annex', '1');
  return `/api/reports/${encodeURIComponent(id)}/export?${q}`;
}

// ---- contributions (docs/api.md "Contributions") ----

export type ContributionScope = 'meeting' | 'group';
export type ContributionKind = 'contribution' | 'presentation' | 'information' | 'report';
export const CONTRIBUTION_KINDS: readonly ContributionKind[] = ['contribution', 'presentation', 'information', 'report'];
/** Languages a document may be written in: the six UN languages, then "other". */
export type ContributionLanguage = 'ar' | 'zh' | 'en' | 'fr' | 'ru' | 'es' | 'other';
export const CONTRIBUTION_LANGUAGES: readonly ContributionLanguage[] = ['ar', 'zh', 'en', 'fr', 'ru', 'es', 'other'];
export type ContributionState = 'submitted' | 'accepted' | 'published' | 'returned' | 'withdrawn';
export const CONTRIBUTION_STATES: readonly ContributionState[] = ['submitted', 'accepted', 'published', 'returned', 'withdrawn'];
export type ContributionAction = 'accept' | 'publish' | 'return' | 'withdraw';

/** A person or an organization credited with a document (a name, an organization or both). */
export interface ContributionAuthor {
  name: string;
  organization: string;
}

/** One uploaded file of a document; revision 0 is the original, n is "Rev.n". */
export interface ContributionRevision {
  n: number;
  /** "" until the document has a symbol. */
  symbol: string;
  filename: string;
  size: number;
  sha256: string;
  content_type: string;
  format: string;
  by: UserRef;
  at: string;
  state: ContributionState;
  reason: string;
  note: string;
  /** The revision's permanent address. */
  url: string;
}

/** A transition: action is "submitted", "revised", "accepted", "published", "returned", "withdrawn" or "attached". */
export interface ContributionEvent {
  action: string;
  revision: number;
  by: UserRef;
  at: string;
  note: string;
}

export interface ContributionPermissions {
  accept: boolean;
  publish: boolean;
  return: boolean;
  withdraw: boolean;
  revise: boolean;
  attach: boolean;
  /** The sessions to whose items the viewer may attach the document (those they edit). */
  attach_sessions: string[];
}

/** GET /api/contributions/{id}: a document as the caller sees it. */
export interface Contribution {
  id: string;
  scope: ContributionScope;
  scope_id: string;
  scope_name: string;
  session_id: string;
  item_id: string;
  item_title: string;
  title: string;
  authors: ContributionAuthor[];
  language: ContributionLanguage;
  kind: ContributionKind;
  abstract: string;
  symbol: string;
  state: ContributionState;
  submitter: UserRef;
  created: string;
  updated: string;
  /** The stable address (newest published revision), "" while none is published. */
  url: string;
  /** The revisions the caller may read, newest first. */
  revisions: ContributionRevision[];
  /** Shown to the submitter and the reviewers; empty for others. */
  events: ContributionEvent[];
  can: ContributionPermissions;
  version: number;
}

/** An entry of the lists (meeting or group documents, queue, mine). */
export interface ContributionEntry {
  id: string;
  scope: ContributionScope;
  scope_id: string;
  symbol: string;
  title: string;
  authors: ContributionAuthor[];
  language: ContributionLanguage;
  kind: ContributionKind;
  state: ContributionState;
  session_id: string;
  item_id: string;
  submitter: string;
  submitter_name: string;
  updated: string;
  /** The newest published revision, or -1. */
  published: number;
  latest: number;
  latest_state: ContributionState;
  format: string;
  size: number;
}

/** An entry of GET /api/contributions/queue, with the meeting's or group's name. */
export interface QueueEntry extends ContributionEntry {
  scope_name: string;
}

/** The query of a documents list; empty values are left out. */
export interface ContributionFilter {
  kind?: ContributionKind | '';
  language?: ContributionLanguage | '';
  state?: ContributionState | '';
  session_id?: string;
  item_id?: string;
  q?: string;
}

/** The form of a new document (the `meta` part of the upload). */
export interface ContributionMeta {
  title: string;
  authors: ContributionAuthor[];
  language: ContributionLanguage;
  kind: ContributionKind;
  abstract: string;
  session_id?: string;
  item_id?: string;
}

/** The numbering scheme of a meeting's or group's documents. */
export interface ContributionSettings {
  prefix: string;
  codes: Partial<Record<ContributionKind, string>>;
}

/** An upload in progress: its answer, and a way to stop it. */
export interface Upload<T> {
  done: Promise<T>;
  abort(): void;
}

/** UploadAborted is what an upload's promise rejects with after abort(). */
export class UploadAborted extends Error {
  constructor() {
    super('upload cancelled');
    this.name = 'UploadAborted';
  }
}

/** uploadForm builds the multipart body of an upload: the JSON part `meta` first, then the file. */
export function uploadForm(meta: unknown, file: Blob, filename: string): FormData {
  const form = new FormData();
  form.append('meta', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
  form.append('file', file, filename);
  return form;
}

/** contributionQuery turns a filter into "?kind=…&q=…" ("" when empty). */
export function contributionQuery(f: ContributionFilter = {}): string {
  const p = new URLSearchParams();
  for (const k of ['kind', 'language', 'state', 'session_id', 'item_id', 'q'] as const) {
    const v = (f[k] ?? '').trim();
    if (v) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

function normalizeContribution(c: Contribution): Contribution {
  return {
    ...c,
    authors: arr(c.authors),
    revisions: arr(c.revisions).map((r) => ({ ...r, by: r.by ?? { id: '', name: '' }, reason: r.reason ?? '', note: r.note ?? '' })),
    events: arr(c.events).map((e) => ({ ...e, by: e.by ?? { id: '', name: '' }, note: e.note ?? '' })),
    can: c.can ? { ...c.can, attach_sessions: arr(c.can.attach_sessions) } : { accept: false, publish: false, return: false, withdraw: false, revise: false, attach: false, attach_sessions: [] },
  };
}

function normalizeEntry<T extends ContributionEntry>(e: T): T {
  return { ...e, authors: arr(e.authors) };
}

// ---- notifications (docs/api.md "Notifications") ----

export type NotificationKind = 'round_opened' | 'deadline_soon' | 'reply' | 'mention' | 'disposition' | 'final';

/** One in-app notification of the signed-in person. */
export interface AppNotification {
  id: string;
  kind: NotificationKind;
  /** One line of plain text. */
  title: string;
  body: string;
  /** A path in the app, e.g. /reports/<id>?tab=review. */
  link: string;
  report_id?: string;
  /** RFC 3339. */
  at: string;
  read: boolean;
}

export interface NotificationList {
  items: AppNotification[];
  unread: number;
}

export interface Health {
  status: 'ok' | 'unavailable';
  store?: 'embedded' | 'mongodb';
}

interface Items<T> {
  items: T[];
}

// ---- errors ---------------------------------------------------------------

/** An error answer `{"error":{"code","message"}}`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Seconds from the Retry-After header of a 429, when present. */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    retryAfter: number | null = null,
    requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'rate_limited',
};

const KNOWN_CODES = new Set<string>([...Object.values(STATUS_CODES), 'internal', 'network']);

/** parseError turns an error answer (status, body text, headers) into an ApiError. */
export function parseError(status: number, statusText: string, body: string, header: (name: string) => string | null): ApiError {
  let code: ErrorCode = STATUS_CODES[status] ?? 'internal';
  let message = statusText || `HTTP ${status}`;
  try {
    const parsed: unknown = JSON.parse(body);
    const err = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (err && typeof err.code === 'string' && KNOWN_CODES.has(err.code)) code = err.code as ErrorCode;
    if (err && typeof err.message === 'string' && err.message !== '') message = err.message;
  } catch {
    // Not JSON (e.g. a proxy's error page): keep the status-derived code.
  }
  let retryAfter: number | null = null;
  const ra = header('Retry-After');
  if (ra !== null) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) retryAfter = Math.max(0, Math.ceil(secs));
    else {
      const at = Date.parse(ra);
      if (!Number.isNaN(at)) retryAfter = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    }
  }
  return new ApiError(status, code, message, retryAfter, header('X-Request-ID'));
}

async function toApiError(res: Response): Promise<ApiError> {
  let body = '';
  try {
    body = await res.text();
  } catch {
    // No body to read.
  }
  return parseError(res.status, res.statusText, body, (name) => res.headers.get(name));
}

// ---- client ---------------------------------------------------------------

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Defaults to the global fetch. Tests pass a fake. */
  fetch?: FetchFn;
  /** Returns the document's cookie string; defaults to document.cookie. */
  cookies?: () => string;
  /** Prefix of every path; "" for same origin. */
  baseURL?: string;
}

export const CSRF_COOKIE = 'plenary_csrf';

/** readCookie returns the value of cookie name in a document.cookie string, or "". */
export function readCookie(cookieString: string, name: string): string {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return '';
}

interface RequestOptions {
  body?: unknown;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  /** Send the CSRF header (cookie-authenticated endpoints). */
  csrf?: boolean;
}

type SessionListener = (user: User | null) => void;

export class ApiClient {
  private readonly fetchFn: FetchFn;
  private readonly cookies: () => string;
  private readonly baseURL: string;
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<SessionListener>();

  constructor(opts: ApiClientOptions = {}) {
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.cookies = opts.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    this.baseURL = opts.baseURL ?? '';
  }

  /** onSession calls fn whenever the signed-in user changes (null: signed out). */
  onSession(fn: SessionListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  private setSession(s: SessionResponse | null): void {
    this.accessToken = s ? s.access_token : null;
    for (const fn of this.listeners) fn(s ? s.user : null);
  }

  private async send(method: string, path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (opts.csrf) headers['X-CSRF-Token'] = readCookie(this.cookies(), CSRF_COOKIE);
    try {
      return await this.fetchFn(this.baseURL + path, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
    }
  }

  private async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    const token = auth ? this.accessToken : null;
    let res = await this.send(method, path, opts, token);
    if (res.status === 401 && auth) {
      // Another request may already have refreshed while this one was in
      // flight; then just retry with the new token.
      const fresh = this.accessToken !== null && this.accessToken !== token;
      if (fresh || (await this.refresh())) {
        res = await this.send(method, path, opts, this.accessToken);
      }
    }
    if (!res.ok) {
      const err = await toApiError(res);
      if (res.status === 401 && auth && this.accessToken !== null) this.setSession(null);
      throw err;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * refresh trades the refresh cookie for a new access token. Concurrent
   * callers share one request. Resolves false when there is no session.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const s = await this.request<SessionResponse>('POST', '/api/auth/refresh', { auth: false, csrf: true });
          this.setSession(s);
          return true;
        } catch (e) {
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
            if (this.accessToken !== null) this.setSession(null);
            return false;
          }
          throw e;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  /** restore resumes a browser session on app start; resolves the user or null. */
  async restore(): Promise<User | null> {
    let user: User | null = null;
    const off = this.onSession((u) => (user = u));
    try {
      return (await this.refresh()) ? user : null;
    } finally {
      off();
    }
  }

  // ---- authentication ----

  async login(req: LoginRequest): Promise<User> {
    const s = await this.request<SessionResponse>('POST', '/api/auth/login', { body: req, auth: false });
    this.setSession(s);
    return s.user;
  }

  async logout(): Promise<void> {
    try {
      await this.request<void>('POST', '/api/auth/logout', { auth: false, csrf: true });
    } finally {
      this.setSession(null);
    }
  }

  me(): Promise<User> {
    return this.request('GET', '/api/me');
  }

  wsTicket(): Promise<WsTicket> {
    return this.request('POST', '/api/ws-ticket');
  }

  // ---- invitations ----

  createInvitation(req: CreateInvitationRequest): Promise<CreatedInvitation> {
    return this.request('POST', '/api/invitations', { body: req });
  }

  async listInvitations(): Promise<Invitation[]> {
    return (await this.request<Items<Invitation>>('GET', '/api/invitations')).items;
  }

  revokeInvitation(id: string): Promise<void> {
    return this.request('DELETE', `/api/invitations/${encodeURIComponent(id)}`);
  }

  lookupInvitation(token: string): Promise<InvitationLookup> {
    return this.request('POST', '/api/invitations/lookup', { body: { token }, auth: false });
  }

  async acceptInvitation(req: AcceptInvitationRequest): Promise<User> {
    const s = await this.request<SessionResponse>('POST', '/api/invitations/accept', { body: req, auth: false });
    this.setSession(s);
    return s.user;
  }

  // ---- people ----

  async listUsers(): Promise<User[]> {
    return (await this.request<Items<User>>('GET', '/api/users')).items;
  }

  // ---- focus areas ----

  async listFocusAreas(): Promise<FocusArea[]> {
    return (await this.request<Items<FocusArea>>('GET', '/api/focus-areas')).items;
  }

  createFocusArea(req: CreateFocusAreaRequest): Promise<FocusArea> {
    return this.request('POST', '/api/focus-areas', { body: req });
  }

  updateFocusArea(id: string, req: UpdateFocusAreaRequest): Promise<FocusArea> {
    return this.request('PATCH', `/api/focus-areas/${encodeURIComponent(id)}`, { body: req });
  }

  // ---- groups ----

  async listGroups(): Promise<GroupSummary[]> {
    return (await this.request<Items<GroupSummary>>('GET', '/api/groups')).items;
  }

  getGroup(id: string): Promise<Group> {
    return this.request('GET', `/api/groups/${encodeURIComponent(id)}`);
  }

  createGroup(req: CreateGroupRequest): Promise<Group> {
    return this.request('POST', '/api/groups', { body: req });
  }

  updateGroup(id: string, req: UpdateGroupRequest): Promise<Group> {
    return this.request('PATCH', `/api/groups/${encodeURIComponent(id)}`, { body: req });
  }

  addMember(groupID: string, req: AddMemberRequest): Promise<Group> {
    return this.request('POST', `/api/groups/${encodeURIComponent(groupID)}/members`, { body: req });
  }

  changeMemberRole(groupID: string, userID: string, role: GroupRole): Promise<Group> {
    return this.request(
      'PATCH',
      `/api/groups/${encodeURIComponent(groupID)}/members/${encodeURIComponent(userID)}`,
      { body: { role } },
    );
  }

  removeMember(groupID: string, userID: string): Promise<Group> {
    return this.request(
      'DELETE',
      `/api/groups/${encodeURIComponent(groupID)}/members/${encodeURIComponent(userID)}`,
    );
  }

  // ---- meetings and agendas ----

  private meetingPath(id: string, rest = ''): string {
    return `/api/meetings/${encodeURIComponent(id)}${rest}`;
  }

  private async meeting(method: string, path: string, body?: unknown): Promise<Meeting> {
    return normalizeMeeting(await this.request<Meeting>(method, path, body === undefined ? {} : { body }));
  }

  async listMeetings(): Promise<MeetingSummary[]> {
    return (await this.request<Items<MeetingSummary>>('GET', '/api/meetings')).items ?? [];
  }

  getMeeting(id: string): Promise<Meeting> {
    return this.meeting('GET', this.meetingPath(id));
  }

  createMeeting(req: CreateMeetingRequest): Promise<Meeting> {
    return this.meeting('POST', '/api/meetings', req);
  }

  /** updateMeeting changes meeting fields; version is the meeting's version they were based on (409 when stale). */
  updateMeeting(id: string, version: number, fields: MeetingFields): Promise<Meeting> {
    return this.meeting('PATCH', this.meetingPath(id), { ...fields, version });
  }

  addParticipant(id: string, req: AddParticipantRequest): Promise<Meeting> {
    return this.meeting('POST', this.meetingPath(id, '/participants'), req);
  }

  changeParticipantRole(id: string, userID: string, role: ParticipantRole): Promise<Meeting> {
    return this.meeting('PATCH', this.meetingPath(id, `/participants/${encodeURIComponent(userID)}`), { role });
  }

  removeParticipant(id: string, userID: string): Promise<Meeting> {
    return this.meeting('DELETE', this.meetingPath(id, `/participants/${encodeURIComponent(userID)}`));
  }

  /** setAttendance sets who was present on date ("YYYY-MM-DD"). */
  setAttendance(id: string, date: string, present: string[]): Promise<Meeting> {
    return this.meeting('PUT', this.meetingPath(id, `/attendance/${encodeURIComponent(date)}`), { present });
  }

  /** addSession inserts a session at index (default: at the end). */
  addSession(id: string, version: number, fields: SessionFields, index?: number): Promise<Meeting> {
    return this.meeting('POST', this.meetingPath(id, '/sessions'), { ...fields, version, ...(index === undefined ? {} : { index }) });
  }

  updateSession(id: string, sessionID: string, version: number, fields: SessionFields): Promise<Meeting> {
    return this.meeting('PATCH', this.meetingPath(id, `/sessions/${encodeURIComponent(sessionID)}`), { ...fields, version });
  }

  deleteSession(id: string, sessionID: string, version: number): Promise<Meeting> {
    return this.meeting('DELETE', this.meetingPath(id, `/sessions/${encodeURIComponent(sessionID)}?version=${version}`));
  }

  /** addItem inserts an item (or break) at index in the session (default: at the end). */
  addItem(id: string, sessionID: string, version: number, fields: ItemFields, index?: number): Promise<Meeting> {
    return this.meeting('POST', this.meetingPath(id, `/sessions/${encodeURIComponent(sessionID)}/items`), {
      ...fields,
      version,
      ...(index === undefined ? {} : { index }),
    });
  }

  updateItem(id: string, sessionID: string, itemID: string, version: number, fields: ItemFields): Promise<Meeting> {
    return this.meeting(
      'PATCH',
      this.meetingPath(id, `/sessions/${encodeURIComponent(sessionID)}/items/${encodeURIComponent(itemID)}`),
      { ...fields, version },
    );
  }

  deleteItem(id: string, sessionID: string, itemID: string, version: number): Promise<Meeting> {
    return this.meeting(
      'DELETE',
      this.meetingPath(id, `/sessions/${encodeURIComponent(sessionID)}/items/${encodeURIComponent(itemID)}?version=${version}`),
    );
  }

  moveAgenda(id: string, version: number, move: MoveRequest): Promise<Meeting> {
    return this.meeting('POST', this.meetingPath(id, '/agenda/move'), { ...move, version });
  }

  publishAgenda(id: string, version: number, note: string): Promise<Meeting> {
    return this.meeting('POST', this.meetingPath(id, '/agenda/publish'), { version, note });
  }

  /** listAgendaVersions lists the published versions, newest first. */
  async listAgendaVersions(id: string): Promise<PublishedVersion[]> {
    return (await this.request<Items<PublishedVersion>>('GET', this.meetingPath(id, '/agenda/versions'))).items ?? [];
  }

  async getAgendaVersion(id: string, n: number): Promise<AgendaVersion> {
    const v = await this.request<AgendaVersion>('GET', this.meetingPath(id, `/agenda/versions/${n}`));
    return { ...v, agenda: normalizeAgenda(v.agenda) ?? { sessions: [] } };
  }

  /** agendaDiff compares two published versions, or one with the draft (editors only). */
  async agendaDiff(id: string, from: DiffEnd, to: DiffEnd): Promise<AgendaDiff> {
    const q = `?from=${encodeURIComponent(String(from))}&to=${encodeURIComponent(String(to))}`;
    const d = await this.request<AgendaDiff>('GET', this.meetingPath(id, `/agenda/diff${q}`));
    return {
      ...d,
      sessions: (d.sessions ?? []).map((s) => ({
        ...s,
        fields: s.fields ?? [],
        items: (s.items ?? []).map((it) => ({ ...it, fields: it.fields ?? [] })),
      })),
    };
  }

  setLive(id: string, req: SetLiveRequest): Promise<Meeting> {
    return this.meeting('PUT', this.meetingPath(id, '/live'), req);
  }

  clearLive(id: string): Promise<Meeting> {
    return this.meeting('DELETE', this.meetingPath(id, '/live'));
  }

  /** myCalendar answers the caller's personal feed address (created on first use). */
  myCalendar(): Promise<CalendarFeed> {
    return this.request('GET', '/api/me/calendar');
  }

  /** resetMyCalendar gives a new feed address; the old one stops working. */
  resetMyCalendar(): Promise<CalendarFeed> {
    return this.request('POST', '/api/me/calendar/reset');
  }

  // ---- reports ----

  async createReport(title: string, groupID: string): Promise<Report> {
    return normalizeReport(await this.request<Report>('POST', '/api/reports', { body: { title, group_id: groupID } }));
  }

  async getReport(id: string): Promise<Report> {
    return normalizeReport(await this.request<Report>('GET', `/api/reports/${encodeURIComponent(id)}`));
  }

  /** listGroupReports answers the reports of a group the caller may read, newest first. */
  async listGroupReports(groupID: string): Promise<Report[]> {
    const res = await this.request<Items<Report>>('GET', `/api/groups/${encodeURIComponent(groupID)}/reports`);
    return arr(res.items).map(normalizeReport);
  }

  async setDrafters(id: string, userIDs: string[]): Promise<Report> {
    return normalizeReport(await this.request<Report>('PUT', `/api/reports/${encodeURIComponent(id)}/drafters`, { body: { user_ids: userIDs } }));
  }

  /** reportHistory answers the report's timeline, newest entry first. */
  async reportHistory(id: string): Promise<HistoryEntry[]> {
    const res = await this.request<Items<HistoryEntry>>('GET', `/api/reports/${encodeURIComponent(id)}/history`);
    return arr(res.items).map((e) => ({ ...e, authors: arr(e.authors) }));
  }

  /** restoreReport brings back the text of version `version` as a new edit; answers the version it made. */
  async restoreReport(id: string, version: number): Promise<number> {
    const res = await this.request<{ version: number }>('POST', `/api/reports/${encodeURIComponent(id)}/restore`, { body: { version } });
    return res.version;
  }

  /** renderedReport answers the report rendered at version `v` (the latest when omitted). */
  async renderedReport(id: string, v?: number): Promise<RenderedReport> {
    const q = v === undefined ? '' : `?v=${v}`;
    const res = await this.request<RenderedReport>('GET', `/api/reports/${encodeURIComponent(id)}/rendered${q}`);
    return { ...res, paragraphs: arr(res.paragraphs), text: res.text ?? '' };
  }

  // ---- report review ----

  private reviewPath(id: string, rest: string): string {
    return `/api/reports/${encodeURIComponent(id)}${rest}`;
  }

  async getReview(id: string): Promise<Review> {
    return normalizeReview(await this.request<Review>('GET', this.reviewPath(id, '/review')));
  }

  /** reviewAction circulates, closes, finalizes or publishes; answers the review after it. */
  async reviewAction(id: string, action: 'circulate', body: CirculateRequest): Promise<Review>;
  async reviewAction(id: string, action: 'close', body?: Record<string, never>): Promise<Review>;
  async reviewAction(id: string, action: 'finalize', body: { name: string }): Promise<Review>;
  async reviewAction(id: string, action: 'publish', body: PublishRequest): Promise<Review>;
  async reviewAction(id: string, action: string, body: unknown = {}): Promise<Review> {
    return normalizeReview(await this.request<Review>('POST', this.reviewPath(id, `/review/${action}`), { body }));
  }

  /** nameVersion names the report's current version. */
  nameVersion(id: string, name: string): Promise<NamedVersion> {
    return this.request('POST', this.reviewPath(id, '/versions'), { body: { name } });
  }

  /** listComments answers the comments of a round (the current one when omitted). */
  async listComments(id: string, round?: number): Promise<ReviewComment[]> {
    const q = round === undefined ? '' : `?round=${round}`;
    const res = await this.request<Items<ReviewComment>>('GET', this.reviewPath(id, `/comments${q}`));
    return arr(res.items).map(normalizeComment);
  }

  async addComment(id: string, c: NewComment): Promise<ReviewComment> {
    return normalizeComment(await this.request<ReviewComment>('POST', this.reviewPath(id, '/comments'), { body: c }));
  }

  /** replyComment answers comment n; mentions are the ids of the people named in text. */
  async replyComment(id: string, n: number, text: string, mentions: string[] = []): Promise<ReviewComment> {
    return normalizeComment(await this.request<ReviewComment>('POST', this.reviewPath(id, `/comments/${n}/replies`), { body: { text, mentions } }));
  }

  async disposeComment(id: string, n: number, kind: DispositionKind, note: string): Promise<ReviewComment> {
    return normalizeComment(await this.request<ReviewComment>('POST', this.reviewPath(id, `/comments/${n}/disposition`), { body: { kind, note } }));
  }

  /** decideSuggestion accepts (applying the replacement as an edit) or rejects a suggestion. */
  async decideSuggestion(id: string, n: number, accept: boolean, note = ''): Promise<ReviewComment> {
    return normalizeComment(await this.request<ReviewComment>('POST', this.reviewPath(id, `/comments/${n}/suggestion`), { body: { accept, note } }));
  }

  async listDispositions(id: string, round?: number): Promise<DispositionRow[]> {
    const q = round === undefined ? '' : `?round=${round}`;
    return arr((await this.request<Items<DispositionRow>>('GET', this.reviewPath(id, `/dispositions${q}`))).items);
  }

  // ---- contributions ----

  private contributionPath(id: string, rest = ''): string {
    return `/api/contributions/${encodeURIComponent(id)}${rest}`;
  }

  private scopePath(scope: ContributionScope, id: string, rest = ''): string {
    return `/api/${scope}s/${encodeURIComponent(id)}/contributions${rest}`;
  }

  /** listContributions answers a meeting's or group's documents by symbol, filtered. */
  async listContributions(scope: ContributionScope, id: string, filter: ContributionFilter = {}): Promise<ContributionEntry[]> {
    const res = await this.request<Items<ContributionEntry>>('GET', this.scopePath(scope, id, contributionQuery(filter)));
    return arr(res.items).map(normalizeEntry);
  }

  getContributionSettings(scope: ContributionScope, id: string): Promise<ContributionSettings> {
    return this.request('GET', this.scopePath(scope, id, '/settings'));
  }

  setContributionSettings(scope: ContributionScope, id: string, settings: ContributionSettings): Promise<ContributionSettings> {
    return this.request('PUT', this.scopePath(scope, id, '/settings'), { body: settings });
  }

  /** contributionQueue answers what waits for the caller's decision, oldest first. */
  async contributionQueue(): Promise<QueueEntry[]> {
    return arr((await this.request<Items<QueueEntry>>('GET', '/api/contributions/queue')).items).map(normalizeEntry);
  }

  /** myContributions answers the caller's submissions, newest first. */
  /** uploadLimits answers the largest file accepted and the caller's quota, in bytes. */
  uploadLimits(): Promise<UploadLimits> {
    return this.request('GET', '/api/contributions/limits');
  }

  async myContributions(): Promise<ContributionEntry[]> {
    return arr((await this.request<Items<ContributionEntry>>('GET', '/api/contributions/mine')).items).map(normalizeEntry);
  }

  async getContribution(id: string): Promise<Contribution> {
    return normalizeContribution(await this.request<Contribution>('GET', this.contributionPath(id)));
  }

  /** transitionContribution accepts, publishes, returns (reason required) or withdraws the latest revision. */
  async transitionContribution(id: string, action: ContributionAction, reason = ''): Promise<Contribution> {
    const body = action === 'return' ? { action, reason } : { action };
    return normalizeContribution(await this.request<Contribution>('POST', this.contributionPath(id, '/transition'), { body }));
  }

  /** attachContribution relates a meeting document to an agenda item. */
  async attachContribution(id: string, sessionID: string, itemID: string): Promise<Contribution> {
    return normalizeContribution(
      await this.request<Contribution>('PUT', this.contributionPath(id, '/item'), { body: { session_id: sessionID, item_id: itemID } }),
    );
  }

  /** submitContribution uploads a new document; onProgress gets the fraction of the body sent (0–1). */
  submitContribution(scope: ContributionScope, id: string, meta: ContributionMeta, file: File, onProgress?: (sent: number) => void): Upload<Contribution> {
    const up = this.upload<Contribution>(this.scopePath(scope, id), () => uploadForm(meta, file, file.name), onProgress);
    return { done: up.done.then(normalizeContribution), abort: up.abort };
  }

  /** reviseContribution uploads a new revision of a document, with a note of what it changes. */
  reviseContribution(id: string, note: string, file: File, onProgress?: (sent: number) => void): Upload<Contribution> {
    const up = this.upload<Contribution>(this.contributionPath(id, '/revisions'), () => uploadForm({ note }, file, file.name), onProgress);
    return { done: up.done.then(normalizeContribution), abort: up.abort };
  }

  /**
   * upload POSTs a multipart body with XMLHttpRequest, which (unlike fetch) reports upload
   * progress. Like request(), it sends the bearer token and, on a 401, refreshes once and sends
   * the body again.
   */
  private upload<T>(path: string, body: () => FormData, onProgress?: (sent: number) => void): Upload<T> {
    let xhr: XMLHttpRequest | null = null;
    let aborted = false;
    const sendOnce = (token: string | null) =>
      new Promise<{ status: number; statusText: string; text: string; header: (n: string) => string | null }>((resolve, reject) => {
        if (aborted) return reject(new UploadAborted());
        const x = new XMLHttpRequest();
        xhr = x;
        x.open('POST', this.baseURL + path);
        x.setRequestHeader('Accept', 'application/json');
        if (token) x.setRequestHeader('Authorization', `Bearer ${token}`);
        x.upload.onprogress = (e) => {
          if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
        };
        x.onload = () => resolve({ status: x.status, statusText: x.statusText, text: x.responseText, header: (n) => x.getResponseHeader(n) });
        x.onerror = () => reject(aborted ? new UploadAborted() : new ApiError(0, 'network', 'upload failed'));
        x.onabort = () => reject(new UploadAborted());
        x.ontimeout = () => reject(new ApiError(0, 'network', 'upload timed out'));
        x.send(body());
      });
    const done = (async (): Promise<T> => {
      const token = this.accessToken;
      let res = await sendOnce(token);
      if (res.status === 401) {
        const fresh = this.accessToken !== null && this.accessToken !== token;
        if (fresh || (await this.refresh())) {
          onProgress?.(0);
          res = await sendOnce(this.accessToken);
        }
      }
      if (res.status < 200 || res.status >= 300) {
        const err = parseError(res.status, res.statusText, res.text, res.header);
        if (res.status === 401 && this.accessToken !== null) this.setSession(null);
        throw err;
      }
      return (res.text === '' ? undefined : JSON.parse(res.text)) as T;
    })();
    return {
      done,
      abort: () => {
        aborted = true;
        (xhr as XMLHttpRequest | null)?.abort();
      },
    };
  }

  // ---- notifications ----

  /** notifications answers the newest notifications (at most limit) and the unread count. */
  async notifications(limit?: number): Promise<NotificationList> {
    const q = limit === undefined ? '' : `?limit=${limit}`;
    const res = await this.request<NotificationList>('GET', `/api/notifications${q}`);
    return { items: arr(res.items), unread: res.unread ?? 0 };
  }

  /** markNotificationsRead marks ids read (all when empty); answers the unread count after. */
  async markNotificationsRead(ids: string[] = []): Promise<number> {
    return (await this.request<{ unread: number }>('POST', '/api/notifications/read', { body: { ids } })).unread;
  }

  // ---- operations ----

  health(): Promise<Health> {
    return this.request('GET', '/api/health', { auth: false });
  }
}

/** api is the app's single client instance. */
export const api = new ApiClient();
