// Render TeX to HTML with KaTeX at build time, so pages need no math JavaScript.
// Input on stdin: JSON [{tex, display}]; output on stdout: JSON [{html} | {error}].
// Run by sitebuild/render_math.py; KaTeX comes from site_src/node_modules (npm ci).
import katex from "katex";

let input = "";
for await (const chunk of process.stdin) input += chunk;

const results = JSON.parse(input).map(({ tex, display }) => {
  try {
    return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, output: "htmlAndMathml" }) };
  } catch (err) {
    return { error: String(err.message || err) };
  }
});
process.stdout.write(JSON.stringify(results));
