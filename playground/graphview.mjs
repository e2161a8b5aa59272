// Pan and zoom for the dependency graph: the SVG fills a fixed-height viewport and shows a
// window of the drawing (its viewBox). Wheel zooms around the pointer, dragging pans, the
// buttons zoom in, out and fit; a new drawing (another decision, clauses shown) is fitted,
// a redraw of the same one (another case) keeps the window. "Focus" draws only what the
// chosen decision depends on, which is what makes an 80-node graph readable.

const MIN = 0.1;
const MAX = 4;

export class GraphView {
  /** `box` the viewport, `svg` the drawing, `focusBox` the focus checkbox; `redraw()` draws again. */
  constructor(box, svg, focusBox, redraw) {
    this.box = box;
    this.svg = svg;
    this.focusBox = focusBox;
    this.redraw = redraw;
    this.size = { w: 0, h: 0 };
    this.view = null; // { x, y, scale }
    this.key = null;
    this.drag = null;
    focusBox.addEventListener("change", () => {
      this.key = null;
      redraw();
    });
    box.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    box.addEventListener("pointerdown", (e) => this.down(e));
    box.addEventListener("pointermove", (e) => this.move(e));
    box.addEventListener("pointerup", (e) => this.up(e));
    box.addEventListener("pointercancel", (e) => this.up(e));
    const button = (id, f) => document.querySelector(`[data-testid="${id}"]`)?.addEventListener("click", f);
    button("zoom-in", () => this.zoomBy(1.25));
    button("zoom-out", () => this.zoomBy(0.8));
    button("zoom-fit", () => this.fit());
    new ResizeObserver(() => this.apply()).observe(box);
  }

  get focus() {
    return this.focusBox.checked;
  }

  get scale() {
    return this.view ? this.view.scale : 1;
  }

  /** After `draw` set the drawing's own size: fit a new drawing, keep the window of the same. */
  drawn(key = null) {
    const w = Number(this.svg.getAttribute("width")) || 0;
    const h = Number(this.svg.getAttribute("height")) || 0;
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    const same = key !== null && key === this.key && this.view;
    this.size = { w, h };
    this.key = key;
    if (same) this.apply();
    else this.fit();
  }

  /** The whole drawing in view, but never enlarged past its natural size. */
  fit() {
    const bw = this.box.clientWidth || 1;
    const bh = this.box.clientHeight || 1;
    const scale = Math.min(1, bw / Math.max(1, this.size.w), bh / Math.max(1, this.size.h));
    this.view = { x: 0, y: 0, scale: Math.max(MIN, scale) };
    this.apply();
  }

  zoomBy(factor, cx = null, cy = null) {
    if (!this.view) return;
    const bw = this.box.clientWidth;
    const bh = this.box.clientHeight;
    const px = cx ?? bw / 2;
    const py = cy ?? bh / 2;
    const v = this.view;
    const scale = Math.min(MAX, Math.max(MIN, v.scale * factor));
    // Keep the drawing's point under (px, py) where it is.
    const gx = v.x + px / v.scale;
    const gy = v.y + py / v.scale;
    this.view = { scale, x: gx - px / scale, y: gy - py / scale };
    this.apply();
  }

  apply() {
    if (!this.view) return;
    const bw = this.box.clientWidth || 1;
    const bh = this.box.clientHeight || 1;
    const { x, y, scale } = this.view;
    this.svg.setAttribute("viewBox", `${x} ${y} ${bw / scale} ${bh / scale}`);
    this.svg.dataset.zoom = scale.toFixed(3);
    this.box.dataset.zoom = scale.toFixed(3);
  }

  wheel(e) {
    if (!this.view) return;
    e.preventDefault();
    const r = this.box.getBoundingClientRect();
    this.zoomBy(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  }

  down(e) {
    if (!this.view || e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y, moved: false, id: e.pointerId };
  }

  move(e) {
    const d = this.drag;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return; // a click, not a drag
    if (!d.moved) this.box.setPointerCapture(d.id);
    d.moved = true;
    this.box.classList.add("dragging");
    this.view = { ...this.view, x: d.vx - dx / this.view.scale, y: d.vy - dy / this.view.scale };
    this.apply();
  }

  up(e) {
    const d = this.drag;
    this.drag = null;
    this.box.classList.remove("dragging");
    if (d && d.moved) {
      // A drag is not a click on the node where it ends.
      const stop = (ev) => {
        ev.stopPropagation();
        ev.preventDefault();
      };
      this.svg.addEventListener("click", stop, { capture: true, once: true });
      setTimeout(() => this.svg.removeEventListener("click", stop, { capture: true }), 0);
      if (this.box.hasPointerCapture(e.pointerId)) this.box.releasePointerCapture(e.pointerId);
    }
  }
}
