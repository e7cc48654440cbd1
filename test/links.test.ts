/**
 * The repository stands alone in a clone: no tracked file points outside it
 * (the shared workspace it was built in, or a relative link climbing above the
 * root), and the README's and docs/' relative links reach files (and headings)
 * that exist.
 */
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { root } from "./helpers";

const self = path.relative(root, __filename).split(path.sep).join("/");

/** Never committed, never walked when the checkout is not a git repository. */
const untracked = new Set(["node_modules", "dist", ".git", ".venv", ".cache", ".jupyter", "test-artifacts"]);

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (untracked.has(e.name) || e.name.startsWith(".test-") || e.name === ".ipynb_checkpoints") return [];
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [path.relative(root, p).split(path.sep).join("/")] : [];
  });
}

/**
 * The files a commit would hold: tracked ones and new ones git does not ignore
 * (git ls-files), or every file of the checkout but generated folders when git is
 * not there. Regular files only.
 */
function trackedFiles(): string[] {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  const files = r.status === 0 ? r.stdout.split("\0").filter(Boolean) : walk(root);
  return [...new Set(files)].filter((f) => {
    const st = fs.statSync(path.join(root, f), { throwIfNoEntry: false });
    return st !== undefined && st.isFile();
  });
}

/** A file's text, or null for binary files (a NUL byte). */
function textOf(file: string): string | null {
  const buf = fs.readFileSync(path.join(root, file));
  return buf.includes(0) ? null : buf.toString("utf8");
}

/** The text a reader sees as markdown: a .md file, or the markdown cells of a notebook. */
function markdownOf(file: string, text: string): string | null {
  if (file.endsWith(".md")) return text;
  if (file.endsWith(".ipynb")) {
    const nb = JSON.parse(text) as { cells: Array<{ cell_type: string; source: string | string[] }> };
    return nb.cells.filter((c) => c.cell_type === "markdown").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n\n");
  }
  return null;
}

/** Inline markdown links and images, `[text](target "title")`, and HTML src/href attributes; code spans and fences left out. */
function linksIn(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  const out: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  for (const m of prose.matchAll(/\b(?:src|href)="([^"]+)"/g)) out.push(m[1]);
  return out;
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("//");

/** GitHub's anchor of a heading: its rendered text, lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  for (const m of prose.matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const rendered = m[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*_]/g, (c) => (c === "_" ? "_" : ""));
    const slug = rendered.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

const files = trackedFiles();
const texts = new Map(files.flatMap((f) => {
  const t = f === self ? null : textOf(f);
  return t === null ? [] : [[f, t] as const];
}));

test("no tracked file refers to the workspace outside the repository (README, docs, data, notebooks, src, tests)", () => {
  assert.ok(texts.has("README.md") && texts.has("docs/model.md") && [...texts.keys()].some((f) => f.startsWith("src/")), "the files are read");
  // The shared folder the kit was built beside, and its model notes: neither is in a clone.
  const outside = [/\.\.\/+shared\b/, /\bshared\/(docs|seed)\b/, /kernel-model\.md/];
  const found: string[] = [];
  for (const [file, text] of texts) {
    text.split("\n").forEach((line, i) => {
      if (outside.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
    });
  }
  assert.deepEqual(found, []);
});

test("no relative link in a tracked file's markdown climbs out of the repository", () => {
  const found: string[] = [];
  for (const [file, text] of texts) {
    const md = markdownOf(file, text) ?? (/\.(ts|js|py|sh|json|txt|yml)$/.test(file) ? text : null);
    if (md === null) continue;
    for (const target of linksIn(md).filter(isRelative)) {
      const resolved = path.resolve(root, path.dirname(file), decodeURI(target.split("#")[0]));
      const rel = path.relative(root, resolved);
      if (rel.startsWith("..") || path.isAbsolute(rel)) found.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(found, []);
});

test("every relative link of the README, docs/ and the data READMEs reaches an existing file, and its #heading", () => {
  const docs = [...texts.keys()].filter((f) => f === "README.md" || (f.endsWith(".md") && (f.startsWith("docs/") || f.startsWith("data/"))));
  assert.ok(docs.includes("docs/model.md") && docs.includes("data/measured/external/README.md"), docs.join(" "));
  const broken: string[] = [];
  let checked = 0;
  for (const file of docs) {
    for (const target of linksIn(texts.get(file)!).filter(isRelative)) {
      checked++;
      const [p, anchor] = target.split("#");
      const resolved = p === "" ? path.join(root, file) : path.resolve(root, path.dirname(file), decodeURI(p));
      if (!fs.existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor)) {
        broken.push(`${file}: ${target} (no such heading in ${path.relative(root, resolved)})`);
      }
    }
  }
  assert.ok(checked >= 20, `only ${checked} links found: is the link pattern still right?`);
  assert.deepEqual(broken, []);
});

test("the link checker itself: it sees links, climbs, and GitHub's anchors", () => {
  assert.deepEqual(linksIn('See [a](docs/a.md#x) and ![img](../up.png "t"), `[not](code.md)`, <a href="b.md">b</a>.'), ["docs/a.md#x", "../up.png", "b.md"]);
  assert.deepEqual(linksIn("```\n[fenced](x.md)\n```\n[out](y.md)"), ["y.md"]);
  assert.equal(isRelative("https://lore.kernel.org/r/x"), false);
  assert.equal(isRelative("../../docs/model.md"), true);
  const anchors = anchorsOf("# The model (`src/sim`, `src/model`)\n## Setup details (`environment/`)\n#### `modburst measure`: spans\n## Notes\n## Notes\n");
  assert.deepEqual([...anchors], ["the-model-srcsim-srcmodel", "setup-details-environment", "modburst-measure-spans", "notes", "notes-1"]);
});
