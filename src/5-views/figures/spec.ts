/**
 * A figure is plain data: a plotly.js figure spec (data traces + layout). Built in
 * Node with no plotly import (plotly needs a browser); rendered by figures/render.
 */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown> & { title?: { text: string } | string };
}

export function figureTitle(fig: Figure): string {
  const t = fig.layout.title;
  if (typeof t === "string") return t;
  return t?.text ?? "figure";
}
