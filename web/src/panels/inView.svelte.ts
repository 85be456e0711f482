/** Becomes true once an element has come near the viewport, so off-screen panels fetch nothing. */
export class InView {
  seen = $state(typeof IntersectionObserver === 'undefined');

  observe = (el: HTMLElement): (() => void) => {
    if (this.seen) return () => {};
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.seen = true;
          io.disconnect();
        }
      },
      { rootMargin: '300px' },
    );
    io.observe(el);
    return () => io.disconnect();
  };
}
