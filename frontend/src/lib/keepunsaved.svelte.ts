// A form opened in place (an agenda session or item) can disappear because someone else removed
// what it edits. keepUnsavedText makes sure that what was typed is not lost then: when the form
// goes without having been closed by its own buttons, and its text changed, and what it edited is
// gone, the text is handed to `keep` (the page shows it). Call it while the form initializes.
import { untrack } from 'svelte';

export interface KeepUnsavedOptions {
  /** The form's values as readable text (see draftLines). */
  text: () => string;
  /** The form's heading, naming what it edited. */
  heading: () => string;
  /** Whether what the form edits still exists. */
  stillThere: () => boolean;
  keep: (heading: string, text: string) => void;
}

/** keepUnsavedText returns markClosed, to call when the form closes by its own buttons. */
export function keepUnsavedText(o: KeepUnsavedOptions): () => void {
  let closed = false;
  $effect(() => {
    const untouched = untrack(o.text);
    return () => {
      if (closed) return;
      const text = untrack(o.text);
      const heading = untrack(o.heading);
      // The page may still be taking the new meeting in while this form goes: look once it has.
      setTimeout(() => {
        if (text !== untouched && !o.stillThere()) o.keep(heading, text);
      }, 0);
    };
  });
  return () => {
    closed = true;
  };
}
