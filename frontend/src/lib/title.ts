import { t } from './i18n/index.svelte';

/** setTitle sets the document title as "<page> · Plenary". */
export function setTitle(page: string): void {
  document.title = page ? `${page} · ${t('app.name')}` : t('app.name');
}
