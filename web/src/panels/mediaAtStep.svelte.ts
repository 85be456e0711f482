import { getMedia, type MediaAtStep } from '../api/client';
import { InView } from './inView.svelte';

export interface MediaSource {
  entity: string;
  project: string;
  key: string;
  /** The runs' ids, comma-joined (a string, so an equal list does not refetch). */
  runIds: string;
  /** Bumped when the runs change, to refetch. */
  version: number;
}

/**
 * One media key over some runs at the chosen step (null: the last), fetched once the panel is
 * near the viewport and again whenever the source or the step changes. Create it while a
 * component initialises: it owns an effect.
 */
export class MediaAtStepQuery {
  step = $state<number | null>(null);
  data = $state.raw<MediaAtStep | null>(null);
  error = $state<string | null>(null);
  readonly inView = new InView();

  constructor(source: () => MediaSource) {
    $effect(() => {
      const { entity, project, key, runIds, version } = source();
      const ids = runIds ? runIds.split(',') : [];
      const at = this.step;
      if (!this.inView.seen) return;
      void version;
      if (!ids.length) {
        this.data = null;
        return;
      }
      const ctrl = new AbortController();
      getMedia(entity, project, key, ids, at, ctrl.signal)
        .then((d) => {
          this.data = d;
          this.error = null;
        })
        .catch((e: unknown) => {
          if (!ctrl.signal.aborted) this.error = e instanceof Error ? e.message : String(e);
        });
      return () => ctrl.abort();
    });
  }

  /** The runs with something at this step, in the given order, each with its media. */
  rows<R extends { id: string }>(runs: readonly R[]): { run: R; media: MediaAtStep['runs'][number] }[] {
    const data = this.data;
    if (data === null) return [];
    const out: { run: R; media: MediaAtStep['runs'][number] }[] = [];
    for (const run of runs) {
      const media = data.runs.find((m) => m.id === run.id);
      if (media && media.items.length) out.push({ run, media });
    }
    return out;
  }
}
