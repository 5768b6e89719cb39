// The signed-in person's upload limits (GET /api/contributions/limits), read once and again after
// each upload, so that forms say them and refuse a file too large before sending it.
import { api, type UploadLimits } from './api';
import { formatSize } from './contributions';
import { locale, t } from './i18n/index.svelte';

export const uploadLimits = $state<{ value: UploadLimits | null }>({ value: null });

let loading: Promise<void> | null = null;

/** loadUploadLimits reads the limits, once unless again is true (after an upload changed them). */
export function loadUploadLimits(again = false): void {
  if (loading && !again) return;
  loading = api.uploadLimits().then(
    (l) => {
      uploadLimits.value = l;
    },
    () => {
      loading = null; // try again next time
    },
  );
}

/** tooLarge tells whether a file is over the largest accepted, when that is known. */
export function tooLarge(size: number): boolean {
  const l = uploadLimits.value;
  return l !== null && size > l.max_file_size;
}

/** uploadHint says which files are accepted and, once known, how large they may be. */
export function uploadHint(): string {
  const l = uploadLimits.value;
  const formats = t('docs.upload.formats');
  if (!l) return formats;
  const size = (n: number) => formatSize(n, locale.lang);
  return `${formats} ${t('docs.upload.limit', { size: size(l.max_file_size), left: size(Math.max(0, l.quota - l.used)), quota: size(l.quota) })}`;
}

/** tooLargeMessage is the refusal of a file over the limit, said before sending it. */
export function tooLargeMessage(): string {
  return t('docs.upload.tooLarge', { size: formatSize(uploadLimits.value?.max_file_size ?? 0, locale.lang) });
}
