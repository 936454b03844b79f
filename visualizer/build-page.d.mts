/** Writes index.html, style.css and main.js into `outdir` (default: dist/visualizer); resolves to the folder. */
export function buildPage(outdir?: string): Promise<string>
