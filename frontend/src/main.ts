import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { applyDocumentLanguage, locale } from './lib/i18n/index.svelte';

applyDocumentLanguage(locale.lang);

const target = document.getElementById('app');
if (!target) throw new Error('missing #app');
export default mount(App, { target });
