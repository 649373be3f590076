// editor-check.js validates rule sets the way an editor does, with
// yaml-language-server (the engine of VS Code's YAML extension), against
// rules/schema.json, and prints each diagnostic as file:line:col: message.
// It is a manual check (Node is not needed by make test; the Go test
// rules/schema_test.go is the gate):
//
//   npm install --prefix /tmp/yls yaml-language-server@1 vscode-languageserver-textdocument
//   NODE_PATH=/tmp/yls/node_modules node rules/testdata/schema/editor-check.js \
//     rules/schema.json examples/*/rules.yaml rules/testdata/schema/*/*.yaml
const fs = require('fs'), path = require('path'), url = require('url');
const { getLanguageService } = require('yaml-language-server/lib/umd/languageservice/yamlLanguageService');
const { TextDocument } = require('vscode-languageserver-textdocument');

const ls = getLanguageService({
  schemaRequestService: (uri) => Promise.resolve(fs.readFileSync(url.fileURLToPath(uri), 'utf8')),
  workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).toString() },
});
ls.configure({
  validate: true, hover: true, completion: true, yamlVersion: '1.2',
  schemas: [{ uri: url.pathToFileURL(path.resolve(process.argv[2])).toString(), fileMatch: ['*.yaml', '*.yml'] }],
});

(async () => {
  const files = process.argv.slice(3);
  let flagged = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const doc = TextDocument.create(url.pathToFileURL(path.resolve(f)).toString(), 'yaml', 1, text);
    const diags = await ls.doValidation(doc, false);
    for (const d of diags) {
      console.log(`${f}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
    }
    if (diags.length > 0) flagged++;
  }
  console.log(`${files.length} files, ${flagged} with diagnostics`);
})();
