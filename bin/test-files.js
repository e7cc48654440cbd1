#!/usr/bin/env node
/**
 * The test files for `npm test`, longest first: node's runner starts files in
 * the order given, two at a time, so the JupyterLab UI test (about a minute)
 * must not start last.
 */
const fs = require("fs");
const path = require("path");

const longestFirst = ["ui.test.ts", "notebooks.test.ts", "runner.test.ts", "setup.test.ts"];
const dir = path.join(__dirname, "..", "test");
const all = fs.readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort();
const ordered = [...longestFirst.filter((f) => all.includes(f)), ...all.filter((f) => !longestFirst.includes(f))];
process.stdout.write(ordered.map((f) => path.join("test", f)).join(" ") + "\n");
